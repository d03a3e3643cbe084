// Reproduce lines for the shell of the platform the report is for. Checks write POSIX commands
// (what Linux and macOS run); on Windows every POSIX-only command gets its PowerShell equivalent:
// nc → Test-NetConnection, dig/getent → Resolve-DnsName, openssl s_client → curl.exe (Windows 10+
// ships curl.exe; `curl` alone is Invoke-WebRequest in Windows PowerShell 5), ping -M do -s →
// ping -f -l, tracepath → tracert, export → $env:, grep → Select-String, /dev/null → NUL/$null.
// Commands that only make sense ON a Linux node (ss, iptables, journalctl, files under /etc or
// /var/lib) stay as they are: the checks that write them apply only on that node.

/** One POSIX command line as PowerShell (Windows 10+) runs it. */
export function powershellLine(line: string): string {
  let l = line.trim();
  if (/^env \| grep -i _proxy$/.test(l)) return "Get-ChildItem env: | Where-Object Name -like '*_proxy'";
  let m: RegExpExecArray | null;
  if ((m = /^dig \+short (\S+)(?: (A|AAAA|CNAME|TXT|NS|MX))?$/.exec(l))) return `Resolve-DnsName ${m[1]}${m[2] ? ` -Type ${m[2]}` : ''}`;
  if ((m = /^getent (?:ahosts|hosts) (\S+)$/.exec(l))) return `Resolve-DnsName ${m[1]}`;
  if ((m = /^nc (?:-\S+ )*?(?:-w \d+ )?(\S+) (\d+)$/.exec(l))) return `Test-NetConnection ${m[1]} -Port ${m[2]}`;
  if ((m = /^ping -M do -s (\d+) (\S+)$/.exec(l))) return `ping -f -l ${m[1]} ${m[2]}`;
  if ((m = /^tracepath (\S+)$/.exec(l))) return `tracert ${m[1]}`;
  if ((m = /^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(l))) return `$env:${m[1]} = ${psQuote(m[2]!)}`;
  const timed = /^time (.*)$/.exec(l);
  if (timed) return `Measure-Command { ${powershellLine(timed[1]!)} }`;
  if (/^openssl s_client /.test(l)) return sClientAsCurl(l);
  if (/^curl /.test(l)) l = `curl.exe ${l.slice(5)}`;
  l = l
    .replace(/ -o \/dev\/null/g, ' -o NUL')
    .replace(/ <\/dev\/null/g, '')
    .replace(/ 2>\/dev\/null/g, ' 2>$null')
    .replace(/ \| grep -w (\S+)$/, ' | Select-String -Pattern $1')
    .replace(/ \| grep -i (\S+)$/, ' | Select-String $1')
    .replace(/ \| grep (\S+)$/, ' | Select-String -CaseSensitive $1');
  return l;
}

/** A POSIX shell word ('…' or bare) as a PowerShell string. */
function psQuote(v: string): string {
  const single = /^'(.*)'$/.exec(v);
  const raw = single ? single[1]! : /^"(.*)"$/.exec(v)?.[1] ?? v;
  return `'${raw.replace(/'/g, "''")}'`;
}

/**
 * `openssl s_client -connect HOST:PORT [-servername S] [-proxy P] [-CAfile F …] [-showcerts] </dev/null [| openssl x509 …]`
 * as curl.exe: the same handshake, its certificate and errors in the -v output.
 */
function sClientAsCurl(line: string): string {
  const first = line.split(' | ')[0]!;
  const connect = /-connect (\S+)/.exec(first)?.[1];
  if (!connect) return line;
  const sni = /-servername (\S+)/.exec(first)?.[1];
  const proxy = /-proxy (\S+)/.exec(first)?.[1];
  const ca = /-CAfile (\S+)/.exec(first)?.[1];
  const port = /:(\d+)$/.exec(connect)?.[1] ?? '443';
  const host = connect.replace(/:\d+$/, '');
  const parts = ['curl.exe', '-v', ca ? `--cacert ${ca}` : '-k', '--max-time 10', '-o NUL'];
  if (proxy) parts.push(`-x http://${proxy}`);
  if (sni && sni !== host) {
    parts.push(`--connect-to ${sni}:${port}:${host}:${port}`);
    parts.push(`https://${sni.includes(':') ? `[${sni}]` : sni}:${port}/`);
  } else parts.push(`https://${connect}/`);
  return parts.join(' ');
}

/** Backticked `export NAME=value` in a finding's text, for PowerShell. */
function exportsInText(text: string): string {
  return text.replace(/`export ([A-Za-z_][A-Za-z0-9_]*)=([^`]*)`/g, (_all, name: string, value: string) => `\`$env:${name} = ${psQuote(value)}\``);
}

/** The reproduce lines for `platform` (a NodeJS platform name): PowerShell on win32, duplicates dropped. */
export function reproduceFor(lines: readonly string[], platform: string): string[] {
  if (platform !== 'win32') return [...lines];
  return [...new Set(lines.map(powershellLine))];
}

/** Linux files and tools a finding names, as Windows has them. */
const WINDOWS_WORDS: [RegExp, string][] = [
  [/\/etc\/resolv\.conf/g, "the network adapters' DNS settings (`Get-DnsClientServerAddress`)"],
  [/\/etc\/hosts\b/g, 'C:\\Windows\\System32\\drivers\\etc\\hosts'],
  [/`ip route get ([^`]+)`/g, '`Find-NetRoute -RemoteIPAddress $1`'],
  [/`dig`/g, '`Resolve-DnsName`'],
];

/**
 * A finding's message and remediation for `platform`: on win32, backticked `export` lines as
 * PowerShell, and /etc/resolv.conf, /etc/hosts, `ip route get`, `dig` as Windows has them.
 */
export function textFor(text: string, platform: string): string {
  if (platform !== 'win32') return text;
  let t = exportsInText(text);
  for (const [re, to] of WINDOWS_WORDS) t = t.replace(re, to);
  return t;
}
