// Reproduce lines in the shell of the report's platform: on win32 every POSIX-only command has its
// PowerShell equivalent (Test-NetConnection, Resolve-DnsName, curl.exe, ping -f -l, tracert, $env:).
import { afterAll, describe, expect, it } from 'vitest';
import { powershellLine, reproduceFor, textFor } from '../../../src/report/reproduce.ts';
import { runDiagnosis } from '../../../src/engine/run-diagnosis.ts';
import { apiDiagnosis } from '../../../src/checks/api/index.ts';
import { Redactor } from '../../../src/report/redact.ts';
import { cleanupTempDirs } from '../kube/helpers.ts';
import { ApiContext } from '../../../src/checks/api/context.ts';
import { apiContext, clientOptions, seedDns, seedTcp } from '../api/helpers.ts';

afterAll(cleanupTempDirs);

describe('POSIX commands as PowerShell', () => {
  it.each([
    ['nc -vz -w 5 api.corp.example 6443', 'Test-NetConnection api.corp.example -Port 6443'],
    ['dig +short api.corp.example A', 'Resolve-DnsName api.corp.example -Type A'],
    ['dig +short api.corp.example AAAA', 'Resolve-DnsName api.corp.example -Type AAAA'],
    ['getent ahosts api.corp.example', 'Resolve-DnsName api.corp.example'],
    ['ping -M do -s 1472 api.corp.example', 'ping -f -l 1472 api.corp.example'],
    ['tracepath api.corp.example', 'tracert api.corp.example'],
    ['env | grep -i _proxy', "Get-ChildItem env: | Where-Object Name -like '*_proxy'"],
    ["export HTTPS_PROXY='http://u:REDACTED@proxy.corp:3128'", "$env:HTTPS_PROXY = 'http://u:REDACTED@proxy.corp:3128'"],
    ['openssl s_client -connect 203.0.113.10:6443 </dev/null', 'curl.exe -v -k --max-time 10 -o NUL https://203.0.113.10:6443/'],
    ['time openssl s_client -connect api.corp.example:6443 </dev/null', 'Measure-Command { curl.exe -v -k --max-time 10 -o NUL https://api.corp.example:6443/ }'],
    [
      'openssl s_client -connect 198.51.100.7:443 -servername shop.example.com -showcerts </dev/null',
      'curl.exe -v -k --max-time 10 -o NUL --connect-to shop.example.com:443:198.51.100.7:443 https://shop.example.com:443/',
    ],
    ['openssl s_client -connect 10.0.0.1:6443 </dev/null 2>/dev/null | openssl x509 -noout -subject -enddate', 'curl.exe -v -k --max-time 10 -o NUL https://10.0.0.1:6443/'],
    ['curl -sv -o /dev/null --proxytunnel -x http://proxy.corp:3128 -k https://api:6443/version', 'curl.exe -sv -o NUL --proxytunnel -x http://proxy.corp:3128 -k https://api:6443/version'],
    ['kubectl get ingress -A -o wide | grep -w shop.example.com', 'kubectl get ingress -A -o wide | Select-String -Pattern shop.example.com'],
    ["kubectl get --raw '/readyz?verbose' --context lab", "kubectl get --raw '/readyz?verbose' --context lab"],
  ])('%s', (posix, ps) => {
    expect(powershellLine(posix)).toBe(ps);
    expect(reproduceFor([posix], 'linux')).toEqual([posix]);
    expect(reproduceFor([posix], 'darwin')).toEqual([posix]);
  });

  it('backticked export lines in findings become $env: on win32 only', () => {
    const t = "Then set the proxy: `export HTTPS_PROXY='http://u2:REDACTED@proxy.corp.test:3128'`.";
    expect(textFor(t, 'win32')).toBe("Then set the proxy: `$env:HTTPS_PROXY = 'http://u2:REDACTED@proxy.corp.test:3128'`.");
    expect(textFor(t, 'linux')).toBe(t);
  });
});

describe('Linux files and tools named in findings, on Windows', () => {
  it('/etc/resolv.conf, /etc/hosts, `ip route get`, `dig` become what Windows has', () => {
    expect(textFor('Check that the DNS servers in /etc/resolv.conf are reachable (VPN, firewall on port 53).', 'win32')).toBe(
      "Check that the DNS servers in the network adapters' DNS settings (`Get-DnsClientServerAddress`) are reachable (VPN, firewall on port 53).",
    );
    expect(textFor('Make sure the /etc/hosts entry is still the right address.', 'win32')).toBe('Make sure the C:\\Windows\\System32\\drivers\\etc\\hosts entry is still the right address.');
    expect(textFor('Check the route (`ip route get 192.0.2.53`); query the name with `dig`.', 'win32')).toBe('Check the route (`Find-NetRoute -RemoteIPAddress 192.0.2.53`); query the name with `Resolve-DnsName`.');
    expect(textFor('DNS servers in /etc/resolv.conf', 'darwin')).toBe('DNS servers in /etc/resolv.conf');
  });

  it('the hosts file a win32 client reads is %SystemRoot%\\System32\\drivers\\etc\\hosts', () => {
    const o = clientOptions({ env: { SystemRoot: 'D:\\WINDOWS' } });
    expect(new ApiContext({ ...o, kubeconfig: { ...o.kubeconfig, platform: 'win32' } }).clientOptions.hostsPath).toBe('D:\\WINDOWS\\System32\\drivers\\etc\\hosts');
    expect(new ApiContext(o).clientOptions.hostsPath).toBeUndefined(); // /etc/hosts, dns.ts's default
  });
});

describe('an api report built with platform win32', () => {
  async function report(platform: NodeJS.Platform, env: Record<string, string> = {}) {
    const ctx = apiContext({ server: 'https://api.corp.example:6443', env });
    seedDns(ctx, { addresses: [{ address: '203.0.113.10', family: 4, source: 'dns' }] });
    seedTcp(ctx, [{ host: '203.0.113.10', port: 6443, ok: false, durationMs: 1000, error: { kind: 'timeout', message: 'dial tcp 203.0.113.10:6443: i/o timeout' } }]);
    return runDiagnosis(apiDiagnosis, ctx, { defaultTimeoutMs: 5000, redactor: new Redactor(), platform });
  }

  it('no POSIX-only command in any reproduce line; Test-NetConnection and Resolve-DnsName instead', async () => {
    const win = await report('win32');
    const lines = win.checks.flatMap((c) => c.reproduce);
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(l).not.toMatch(/^(nc|dig|getent|openssl|tracepath|export|env) |\/dev\/null|ping -M|^curl /);
    expect(lines).toContain('Test-NetConnection 203.0.113.10 -Port 6443');
    expect(lines).toContain('Resolve-DnsName api.corp.example -Type A');
    expect(lines).toContain("Get-ChildItem env: | Where-Object Name -like '*_proxy'");
    const linux = await report('linux');
    expect(linux.checks.flatMap((c) => c.reproduce)).toContain('nc -vz -w 1 203.0.113.10 6443');
    expect(linux.checks.find((c) => c.id === 'api.tcp')!.status).toBe(win.checks.find((c) => c.id === 'api.tcp')!.status);
  });

  it("a finding's export line is PowerShell in a win32 report (api.proxy.malformed-url)", async () => {
    const env = { HTTPS_PROXY: 'http://u2:Pa#ssW0rd@proxy.corp.test:3128' };
    const win = await report('win32', env);
    const f = win.checks.flatMap((c) => c.findings).find((x) => x.code === 'api.proxy.malformed-url')!;
    expect(f.remediation.join(' ')).toContain("`$env:HTTPS_PROXY = 'http://u2:REDACTED@proxy.corp.test:3128'`");
    expect(JSON.stringify(win)).not.toContain('`export ');
    const linux = await report('linux', env);
    expect(linux.checks.flatMap((c) => c.findings).find((x) => x.code === 'api.proxy.malformed-url')!.remediation.join(' ')).toContain("`export HTTPS_PROXY='http://u2:REDACTED@proxy.corp.test:3128'`");
  });
});
