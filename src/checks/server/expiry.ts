// Days until a certificate expires, and when that is "soon" (server.certs, server.local.pki).
const DAY = 86_400_000;
export const EXPIRING_DAYS = 30;

export function daysLeft(notAfter: string, now: Date): number {
  return Math.floor((Date.parse(notAfter) - now.getTime()) / DAY);
}
