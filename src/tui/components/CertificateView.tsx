// A presented certificate chain as a tree: subject, issuer, SANs, validity, fingerprint, key.
// Takes the chain entries exactly as checks put them in their evidence (src/net/x509.ts CertInfo).
import { Box, Text } from 'ink';
import { useTheme } from '../theme.tsx';

export interface CertLike {
  subject: string;
  issuer: string;
  sans?: string[];
  notBefore?: string;
  notAfter: string;
  sha256?: string;
  keyType?: string;
  signatureAlgorithm?: string;
  serialNumber?: string;
  isCA?: boolean;
  selfSigned?: boolean;
}

export function isCertLike(x: unknown): x is CertLike {
  const o = x as Record<string, unknown> | null;
  return typeof o === 'object' && o !== null && typeof o.subject === 'string' && typeof o.issuer === 'string' && typeof o.notAfter === 'string';
}

export interface CertificateViewProps {
  chain: CertLike[];
  /** where the chain came from, e.g. "evidence.chain" */
  label?: string;
  now?: Date;
}

const DAY = 86_400_000;

function validity(c: CertLike, now: Date): { text: string; state: 'ok' | 'soon' | 'bad' } {
  const from = c.notBefore ? new Date(c.notBefore) : undefined;
  const to = new Date(c.notAfter);
  const range = `${from ? from.toISOString().slice(0, 10) : '?'} → ${to.toISOString().slice(0, 10)}`;
  if (from && now < from) return { text: `${range} (not valid for ${Math.ceil((from.getTime() - now.getTime()) / DAY)} more days)`, state: 'bad' };
  const left = Math.floor((to.getTime() - now.getTime()) / DAY);
  if (left < 0) return { text: `${range} (expired ${-left} days ago)`, state: 'bad' };
  return { text: `${range} (${left} days left)`, state: left < 30 ? 'soon' : 'ok' };
}

function fingerprintLines(fp: string): string[] {
  const bytes = fp.split(':');
  if (bytes.length <= 16) return [fp];
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) lines.push(bytes.slice(i, i + 16).join(':') + (i + 16 < bytes.length ? ':' : ''));
  return lines;
}

export function CertificateView({ chain, label = 'certificate chain', now = new Date() }: CertificateViewProps) {
  const theme = useTheme();
  const c = (name: string) => (theme.color ? name : undefined);
  return (
    <Box flexDirection="column">
      <Text dimColor={theme.color}>
        {label} ({chain.length} presented)
      </Text>
      {chain.map((cert, i) => {
        const last = i === chain.length - 1;
        const branch = last ? '└─ ' : '├─ ';
        const pipe = last ? '   ' : '│  ';
        const v = validity(cert, now);
        const tags = [i === 0 ? 'leaf' : cert.isCA ? 'CA' : 'intermediate', cert.selfSigned ? 'self-signed' : ''].filter(Boolean).join(', ');
        const fields: [string, string, string?][] = [
          ['issuer', cert.issuer],
          ['SANs', cert.sans && cert.sans.length > 0 ? cert.sans.join(', ') : 'none'],
          ['valid', v.text, v.state === 'bad' ? 'red' : v.state === 'soon' ? 'yellow' : undefined],
        ];
        // a SHA-256 fingerprint is 95 characters: two lines of 16 bytes, so it is never cut
        const fp = fingerprintLines(cert.sha256 ?? '?');
        fp.forEach((l, j) => fields.push([j === 0 ? 'sha256' : '', l]));
        if (cert.keyType) fields.push(['key', [cert.keyType, cert.signatureAlgorithm].filter(Boolean).join(' · ')]);
        return (
          <Box key={i} flexDirection="column">
            <Text wrap="truncate-end">
              {'  '}
              {branch}
              <Text bold={theme.color}>{cert.subject || '(empty subject)'}</Text>
              <Text dimColor={theme.color}> ({tags})</Text>
            </Text>
            {fields.map(([k, val, color], j) => (
              <Text key={j} wrap="truncate-end">
                {'  '}
                {pipe}
                <Text dimColor={theme.color}>{k.padEnd(7)}</Text> <Text color={color ? c(color) : undefined}>{val}</Text>
              </Text>
            ))}
          </Box>
        );
      })}
    </Box>
  );
}
