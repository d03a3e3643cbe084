// Who the credentials say we are, read locally (never sent anywhere, never printed whole): the
// client certificate's subject CN and O, or the claims of a bearer token that is a JWT.
import { X509Certificate } from 'node:crypto';

export interface LocalIdentity {
  source: 'client-certificate' | 'jwt';
  username?: string;
  groups?: string[];
  /** JWT only: the claims netdiag shows (never the token) */
  claims?: { sub?: string; iss?: string; exp?: string; groups?: string[] };
}

/** The client certificate's subject: CN is the user, each O a group (the x509 authenticator's rule). */
export function certificateIdentity(pem: string | undefined): LocalIdentity | undefined {
  if (!pem) return undefined;
  try {
    const c = new X509Certificate(pem);
    const rdns = c.subject.split('\n');
    const cn = rdns.find((l) => l.startsWith('CN='))?.slice(3);
    const groups = rdns.filter((l) => l.startsWith('O=')).map((l) => l.slice(2));
    return { source: 'client-certificate', username: cn, groups };
  } catch {
    return undefined;
  }
}

function b64url(s: string): string {
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
}

/** The claims of a bearer token that is a JWT (header.payload.signature); undefined for opaque tokens. */
export function jwtIdentity(token: string | undefined): LocalIdentity | undefined {
  const parts = token?.split('.');
  if (!parts || parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(b64url(parts[0]!)) as { alg?: unknown };
    if (typeof header.alg !== 'string') return undefined;
    const p = JSON.parse(b64url(parts[1]!)) as Record<string, unknown>;
    const claims: NonNullable<LocalIdentity['claims']> = {};
    if (typeof p.sub === 'string') claims.sub = p.sub;
    if (typeof p.iss === 'string') claims.iss = p.iss;
    if (typeof p.exp === 'number') claims.exp = new Date(p.exp * 1000).toISOString();
    if (Array.isArray(p.groups)) claims.groups = p.groups.filter((g): g is string => typeof g === 'string');
    return { source: 'jwt', username: claims.sub, ...(claims.groups ? { groups: claims.groups } : {}), claims };
  } catch {
    return undefined;
  }
}

/** The token of an `Authorization: Bearer` header. */
export function bearerToken(headers: Record<string, string>): string | undefined {
  const h = headers.Authorization ?? headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}
