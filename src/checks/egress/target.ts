// TARGET: a host, host:port, an IP, [v6]:port, a URL, or a Service (svc/NAME.NS[:PORT]).
import { isIP } from 'node:net';

export interface EgressTarget {
  /** what the user typed (or the log line's host) */
  input: string;
  /** the name or address dialled */
  host: string;
  port: number;
  /** a Service target: svc/NAME.NS */
  service?: { name: string; namespace: string };
  /** where the target came from */
  from: 'argument' | 'logs' | 'control';
  /** icmp://HOST: an ICMP echo request (ping), no port */
  icmp?: boolean;
  /** for a URL: whether its query is a presigned URL's */
  presigned?: string;
}

export class TargetError extends Error {}

export function parseTarget(input: string, defaultNs: string, from: EgressTarget['from'] = 'argument'): EgressTarget {
  const s = input.trim();
  if (!s) throw new TargetError('the target is empty');
  const svc = /^(?:svc|service|services)\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)(?:\.([a-z0-9]([-a-z0-9]*[a-z0-9])?))?(?::(\d+))?$/.exec(s);
  if (svc) {
    const name = svc[1]!;
    const namespace = svc[3] ?? defaultNs;
    return { input, host: `${name}.${namespace}.svc.cluster.local`, port: svc[5] ? Number(svc[5]) : 0, service: { name, namespace }, from };
  }
  const icmp = /^icmp:\/\/(?:\[([0-9a-f:.]+)\]|([^:/\s\[\]]+))\/?$/i.exec(s);
  if (icmp) return { input, host: (icmp[1] ?? icmp[2]!).toLowerCase().replace(/\.$/, ''), port: 0, icmp: true, from };
  if (/^icmp:/i.test(s)) throw new TargetError(`cannot parse the target ${JSON.stringify(s)}: use icmp://HOST or icmp://IP (no port)`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      throw new TargetError(`cannot parse the URL ${JSON.stringify(s)}`);
    }
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const port = u.port ? Number(u.port) : u.protocol === 'http:' ? 80 : 443;
    return { input, host, port, from, presigned: presignedKind(u.searchParams) };
  }
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d+))?$/i.exec(s);
  if (v6) return { input, host: v6[1]!, port: v6[2] ? Number(v6[2]) : 443, from };
  if (isIP(s) === 6) return { input, host: s, port: 443, from };
  const hp = /^([^:/\s]+)(?::(\d+))?$/.exec(s);
  if (!hp) throw new TargetError(`cannot parse the target ${JSON.stringify(s)}: use HOST, HOST:PORT, an IP, a URL or svc/NAME.NS[:PORT]`);
  const port = hp[2] ? Number(hp[2]) : 443;
  if (port < 1 || port > 65535) throw new TargetError(`port ${port} is out of range`);
  return { input, host: hp[1]!.toLowerCase().replace(/\.$/, ''), port, from };
}

/** A presigned URL, recognised by its query: AWS SigV4, Azure SAS, Google signed URLs. */
export function presignedKind(q: URLSearchParams): string | undefined {
  const keys = new Set([...q.keys()].map((k) => k.toLowerCase()));
  if (keys.has('x-amz-signature') || keys.has('x-amz-credential')) return 'AWS S3 presigned URL (X-Amz-Signature)';
  if (keys.has('sig') && (keys.has('se') || keys.has('sp') || keys.has('sv'))) return 'Azure SAS URL (sig/se/sp)';
  if (keys.has('x-goog-signature') || keys.has('x-goog-credential')) return 'Google Cloud Storage signed URL (X-Goog-Signature)';
  return undefined;
}

export function targetText(t: EgressTarget): string {
  const h = isIP(t.host) === 6 ? `[${t.host}]` : t.host;
  if (t.icmp) return `icmp://${h}`;
  return t.service ? `svc/${t.service.name}.${t.service.namespace}${t.port ? `:${t.port}` : ''}` : `${h}:${t.port}`;
}
