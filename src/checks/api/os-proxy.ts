// The OS proxy next to kubectl's: browsers use the system settings (macOS, Windows, GNOME), kubectl
// (Go) reads only the environment. api.proxy calls osProxyComparison with its decision; the
// judgement (judgeOsProxy) is pure and tested on recorded settings.
import type { FindingInput } from '../../engine/definitions.ts';
import { readOsProxy, type OsProxySettings } from '../../net/os-proxy.ts';
import { cidrContains, parseCIDR, parseIP } from '../../net/ip.ts';
import { hostPlatform, type Platform } from '../../net/platform.ts';
import type { ProxyDecision } from '../../net/proxy.ts';
import { redactUrl } from '../../report/redact.ts';
import type { ApiContext } from './context.ts';

export interface OsProxyComparison {
  findings: FindingInput[];
  /** the OS settings as reported (proxies redacted); undefined when none could be read */
  evidence?: Record<string, unknown>;
}

/** "http://proxy.corp:8080", password redacted: how every OS proxy is printed. */
function shown(hostPort: string): string {
  return redactUrl(`http://${hostPort}`);
}

/** The bypass entry of the OS settings that sends `host` directly, if any. */
export function osBypassEntry(os: OsProxySettings, host: string): string | undefined {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  const ip = parseIP(h);
  if (os.bypassSimpleNames && !ip && !h.includes('.')) return os.source.startsWith('Windows') ? '<local>' : 'ExcludeSimpleHostnames';
  for (const raw of os.bypass) {
    const e = raw.trim().toLowerCase();
    if (e === '') continue;
    if (ip) {
      // "10.0.0.0/8", macOS "169.254/16", Windows "10.*"
      const cidr = /^[\d.]+\/\d+$/.test(e) ? parseCIDR(padV4(e)) : /^[\d:a-f]+\/\d+$/.test(e) ? parseCIDR(e) : undefined;
      if (cidr && cidrContains(cidr, ip)) return raw;
    }
    if (e.includes('*')) {
      const re = new RegExp(`^${e.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      if (re.test(h)) return raw;
    } else if (e === h || (e.startsWith('.') && h.endsWith(e))) return raw;
  }
  return undefined;
}

/** macOS writes "169.254/16": the missing octets are zero. */
function padV4(cidr: string): string {
  const [addr, bits] = cidr.split('/') as [string, string];
  const parts = addr.split('.');
  while (parts.length < 4) parts.push('0');
  return `${parts.join('.')}/${bits}`;
}

/** The OS bypass list as a NO_PROXY value Go understands (entries it cannot express are left out). */
export function noProxyFromBypass(os: OsProxySettings): string {
  const out: string[] = [];
  for (const raw of os.bypass) {
    const e = raw.trim();
    let v: string | undefined;
    if (/^\*\.[^*]+$/.test(e)) v = e.slice(1); // *.corp → .corp
    else if (/^[\d.]+\/\d+$/.test(e)) v = padV4(e);
    else if (/^(\d+\.)+\*$/.test(e)) {
      const octets = e.split('.').slice(0, -1);
      v = `${[...octets, ...Array(4 - octets.length).fill('0')].join('.')}/${octets.length * 8}`;
    } else if (!e.includes('*') && e !== '') v = e;
    if (v && !out.includes(v)) out.push(v);
  }
  return out.join(',');
}

/** The exact line that sets a variable in the shells of `platform`. */
export function setVariableLines(name: string, value: string, platform: Platform): string[] {
  if (platform === 'win32') return [`$env:${name} = "${value}"`, `set ${name}=${value}`];
  return [`export ${name}=${value}`];
}

function setRemediation(variable: string, value: string, os: OsProxySettings, platform: Platform): string[] {
  const lines = setVariableLines(variable, value, platform);
  const noProxy = noProxyFromBypass(os);
  const where = platform === 'win32' ? `(PowerShell: \`${lines[0]}\`; cmd: \`${lines[1]}\`)` : `\`${lines[0]}\``;
  const out = [`To make kubectl use the system proxy, set ${variable} in the shell that runs kubectl: ${where}.`];
  if (noProxy) {
    const np = setVariableLines('NO_PROXY', noProxy, platform);
    out.push(`The system bypass list as NO_PROXY: ${platform === 'win32' ? `\`${np[0]}\`` : `\`${np[0]}\``}.`);
  }
  return out;
}

/**
 * The OS proxy settings against kubectl's decision for `target` (the API server URL). A finding
 * when they differ (api.proxy.os-differs), an info note when the OS has only a PAC script
 * (api.proxy.os-pac: PAC JavaScript is not evaluated); nothing when they agree, when the
 * kubeconfig names a proxy-url (an explicit choice), or when no OS settings were read.
 */
export function judgeOsProxy(os: OsProxySettings | undefined, d: ProxyDecision, target: URL, platform: Platform): OsProxyComparison {
  if (!os) return { findings: [] };
  const evidence = {
    source: os.source,
    command: os.command,
    https: os.https ? shown(os.https) : null,
    http: os.http ? shown(os.http) : null,
    pac: os.pac ?? null,
    bypass: os.bypass,
  };
  if (d.source === 'kubeconfig proxy-url' || d.error) return { findings: [], evidence };
  const scheme = target.protocol === 'http:' ? 'http' : 'https';
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const variable = scheme === 'https' ? 'HTTPS_PROXY' : 'HTTP_PROXY';
  const osProxy = scheme === 'https' ? os.https : os.http;
  const bypass = osProxy ? osBypassEntry(os, host) : undefined;
  const kubectlProxy = d.proxy ? d.proxy.host.toLowerCase() : undefined;
  const pacNote = os.pac ? ` (PAC ${os.pac})` : '';
  const findings: FindingInput[] = [];
  if (osProxy && !bypass) {
    if (!kubectlProxy) {
      findings.push({
        code: 'api.proxy.os-differs',
        message:
          `The browser goes through ${shown(osProxy)}${pacNote} for ${scheme}://${host} (${os.source}); kubectl connects directly because ${d.reason}. ` +
          'kubectl (Go) reads only the proxy variables, never the system settings.',
        remediation: setRemediation(variable, shown(osProxy), os, platform),
      });
    } else if (kubectlProxy !== osProxy.toLowerCase()) {
      findings.push({
        code: 'api.proxy.os-differs',
        message: `The browser goes through ${shown(osProxy)}${pacNote} for ${scheme}://${host} (${os.source}); kubectl goes through ${redactUrl(d.proxy!)} (from ${d.source}).`,
        remediation: setRemediation(variable, shown(osProxy), os, platform),
      });
    }
  } else if (osProxy && bypass && kubectlProxy) {
    findings.push({
      code: 'api.proxy.os-differs',
      message: `The browser connects directly to ${host} (the system bypass entry "${bypass}", ${os.source}); kubectl goes through ${redactUrl(d.proxy!)} (from ${d.source}).`,
      remediation: [`To make kubectl connect directly too, add ${host} to NO_PROXY: ${setVariableLines('NO_PROXY', d.noProxy ? `${d.noProxy},${host}` : host, platform).map((l) => `\`${l}\``).join(' or ')}.`],
    });
  } else if (!osProxy && os.pac) {
    findings.push({
      code: 'api.proxy.os-pac',
      message:
        `The system proxy is a PAC script, ${os.pac} (${os.source}): browsers run it for each URL to pick a proxy; kubectl ignores it and ` +
        `${kubectlProxy ? `goes through ${redactUrl(d.proxy!)} (from ${d.source})` : `connects directly (${d.reason})`}. ` +
        'netdiag does not evaluate PAC JavaScript, so it cannot say which proxy the script picks for the API server.',
      remediation: [
        `Open ${os.pac} and find what FindProxyForURL returns for ${scheme}://${host}/ ("PROXY host:port" or "DIRECT").`,
        `If it names a proxy, set it for kubectl: ${setVariableLines(variable, 'http://HOST:PORT', platform).map((l) => `\`${l}\``).join(' or ')}.`,
      ],
    });
  }
  return { findings, evidence };
}

/**
 * The comparison for the api.proxy check: the OS settings read live (memoised as 'os-proxy', so
 * tests seed recorded settings), only when the diagnosis reasons about this host's own platform.
 */
export async function osProxyComparison(ctx: ApiContext, d: ProxyDecision): Promise<OsProxyComparison> {
  const os = await ctx.once('os-proxy', async () => (ctx.platform === hostPlatform() ? readOsProxy(ctx.platform, ctx.clientOptions.env).catch(() => undefined) : undefined));
  return judgeOsProxy(os, d, ctx.serverUrl, ctx.platform);
}
