// From findings to one root-cause paragraph and ordered, copy-pasteable remediation.
import type { CheckResult, Diagnosis, Finding } from '../../report/types.ts';
import { worstStatus } from '../../report/types.ts';
import { redactUrl } from '../../report/redact.ts';
import type { ApiContext } from './context.ts';
import { KUBECTL_TLS_PREFIX } from './tls.ts';
import { regeneratedCa } from './kubectl-wording.ts';

interface Lookup {
  check(id: string): CheckResult | undefined;
  finding(code: string): Finding | undefined;
}

function lookup(results: CheckResult[]): Lookup {
  const byId = new Map(results.map((r) => [r.id, r]));
  const findings = results.flatMap((r) => r.findings);
  return { check: (id) => byId.get(id), finding: (code) => findings.find((f) => f.code === code) };
}

function overall(results: CheckResult[]): Diagnosis['status'] {
  const s = worstStatus(results.map((r) => r.status));
  return s === 'skip' ? 'pass' : s;
}

/** The exact NO_PROXY value to export: what is set now plus the server host. */
export function noProxyExport(ctx: ApiContext, extraHosts: string[] = []): string {
  const current = ctx.options.env.NO_PROXY ?? ctx.options.env.no_proxy ?? '';
  const entries = current.split(',').map((e) => e.trim()).filter(Boolean);
  for (const h of [ctx.host, ...extraHosts]) if (!entries.includes(h)) entries.push(h);
  const value = entries.join(',');
  return `export NO_PROXY="${value}" no_proxy="${value}"`;
}

function tunnelStep(ctx: ApiContext): string {
  const name = ctx.config.cluster.tlsServerName ?? (ctx.isIpServer ? 'kubernetes' : ctx.host);
  const cluster = ctx.config.clusterName ?? 'CLUSTER';
  return (
    `Or tunnel through a host that reaches the API server: \`ssh -N -L 6443:${ctx.hostPort} USER@JUMPHOST\`, then ` +
    `\`kubectl config set-cluster ${cluster} --server=https://127.0.0.1:6443 --tls-server-name=${name}\`` +
    (ctx.config.cluster.tlsServerName || !ctx.isIpServer
      ? '.'
      : ` (${name} is a DNS name kubeadm and k3s always put in the API server certificate; use another SAN of the real certificate if yours differs).`)
  );
}

function directText(l: Lookup): string | undefined {
  const tcp = l.check('api.tcp');
  const f = tcp?.findings.find((x) => x.code === 'api.tcp.direct-failed');
  return f ? f.message.replace(/^Without the proxy, /, '') : undefined;
}

export function diagnoseApi(results: CheckResult[], ctx: ApiContext): Diagnosis {
  const d = diagnoseInOrder(results, ctx);
  // kubectl gets its credentials before it dials (an exec plugin, or a username prompt): when that
  // fails and the connection fails too, the credentials are what kubectl says first
  const auth = lookup(results).check('api.auth');
  if (auth?.status === 'fail' && auth.evidence?.beforeConnect === true) {
    const fails = auth.findings.filter((x) => x.severity === 'fail');
    return {
      status: d.status,
      rootCause: `kubectl fails before it connects to ${ctx.hostPort}: ${fails.map((x) => x.message).join(' ')} The connection fails too: ${d.rootCause}`,
      remediation: dedupe([...fails.flatMap((x) => x.remediation), ...d.remediation]),
    };
  }
  return d;
}

function diagnoseInOrder(results: CheckResult[], ctx: ApiContext): Diagnosis {
  const status = overall(results);
  const l = lookup(results);
  const kc = l.check('api.kubeconfig');
  if (kc?.status === 'fail' || !ctx.kube) {
    const f = kc?.findings[0];
    return { status, rootCause: f?.message ?? kc?.summary ?? 'The kubeconfig could not be resolved.', remediation: f?.remediation ?? [] };
  }
  const server = ctx.serverUrl.origin;
  const decision = (() => {
    try {
      return ctx.proxy();
    } catch {
      return undefined;
    }
  })();
  const proxy = decision?.proxy ? redactUrl(decision.proxy) : undefined;
  const proxyPhrase = proxy ? `the proxy ${proxy} (from ${decision!.source})` : '';

  // 1. TLS interception (SPEC §1 incident 1)
  const intercepted = l.finding('api.tls.intercepted');
  if (intercepted) {
    const tls = l.check('api.tls')!;
    const chain = (tls.evidence?.chain as { subject: string; issuer: string; sans: string[] }[] | undefined) ?? [];
    const leaf = chain[0];
    const noIpSan = l.finding('api.tls.no-ip-san');
    const seen = tls.evidence?.interception as { decidedBy: string[]; confidence?: string; product?: string; trustedBy?: string } | undefined;
    const upstream = l.finding('api.proxy.upstream-failed');
    const direct = directText(l);
    const parts: string[] = [];
    parts.push(
      proxy
        ? `Traffic from this machine to the API server ${server} is sent through ${proxyPhrase}.`
        : `Traffic from this machine to the API server ${server} passes a middlebox that intercepts TLS.`,
    );
    parts.push(
      `${proxy ? 'That proxy' : 'It'} intercepts TLS: it presents its own certificate ${leaf?.subject ?? '(unknown)'}, issued by ${leaf?.issuer ?? '(unknown)'}, not by the cluster CA` +
        (noIpSan ? `, and the certificate has no IP SANs, so kubectl fails with "${KUBECTL_TLS_PREFIX}x509: cannot validate certificate for ${ctx.host} because it doesn't contain any IP SANs".` : '.'),
    );
    if (upstream) {
      const q = upstream.message.match(/answered (\d{3}[^:]*): ("[^"]*")/);
      parts.push(`The proxy cannot reach the API server either: ${q ? `it answers ${q[1]} ${q[2]}` : upstream.message}.`);
    }
    if (direct) parts.push(`Without the proxy there is no way through: ${direct}`);
    parts.push('Nothing here says the cluster itself is unhealthy; the path from this machine is broken.');
    const remediation = proxy
      ? [
          `Add the API server to NO_PROXY so kubectl connects directly: \`${noProxyExport(ctx)}\`` +
            (direct ? ` (this needs a direct route, which is missing today: ${direct.replace(/\.$/, '')}).` : '.'),
          `Ask the network team to exempt ${ctx.hostPort} from TLS interception on ${proxy} and to allow CONNECT to it${upstream ? ' (the proxy itself cannot reach it now)' : ''}.`,
          tunnelStep(ctx),
        ]
      : [
          // a transparent middlebox: no proxy setting to change (issue 12)
          `Ask the network team to exempt ${ctx.hostPort} from TLS inspection on the middlebox${seen?.product ? ` (${seen.product})` : ''}, or use a network path without it.`,
          tunnelStep(ctx),
          "Never add the interceptor's CA to the kubeconfig: kubectl would then send its credentials to the middlebox.",
        ];
    if (!proxy && seen) {
      parts.splice(2, 0, `Interception is ${seen.confidence ?? 'likely'}: ${seen.decidedBy.slice(1).join('; ')}.`);
      if (seen.trustedBy) parts.push(`The interceptor's CA is installed in ${seen.trustedBy}: that is why curl and browsers on this machine work while kubectl, which trusts only the kubeconfig CA, fails.`);
    }
    return { status, rootCause: parts.join(' '), remediation };
  }

  // 2. The proxy refuses or cannot reach the server
  const connect = l.check('api.proxy.connect');
  if (connect?.status === 'fail') {
    const f = connect.findings.find((x) => x.severity === 'fail')!;
    const direct = directText(l);
    const parts = [`Traffic to ${server} is sent through ${proxyPhrase}.`, f.message];
    if (direct) parts.push(`Without the proxy: ${direct}`);
    const remediation = [...f.remediation];
    if (!direct || f.code === 'api.proxy.denied') remediation.unshift(`If this machine can reach the server directly, bypass the proxy: \`${noProxyExport(ctx)}\``);
    if (f.code === 'api.proxy.upstream-failed' || f.code === 'api.proxy.denied') {
      remediation.push(`Ask the network team to allow CONNECT from ${proxy} to ${ctx.hostPort}.`);
    }
    remediation.push(tunnelStep(ctx));
    return { status, rootCause: parts.join(' '), remediation };
  }

  // 3. Layers in order: DNS, TCP, TLS, HTTP, auth, health
  const dns = l.check('api.dns');
  if (dns?.status === 'fail') {
    const f = dns.findings[0]!;
    return { status, rootCause: `The API server name cannot be resolved: ${f.message}`, remediation: f.remediation };
  }
  const tcp = l.check('api.tcp');
  if (tcp?.status === 'fail') {
    const f = tcp.findings.find((x) => x.severity === 'fail')!;
    const why = decision && !decision.proxy ? ` No proxy applies: ${decision.reason}.` : '';
    const cause: Record<string, string> = {
      'api.tcp.unreachable': 'this machine has no route to that network (a VPN that is not connected, or a network that is only reachable through a proxy or jump host)',
      'api.tcp.timeout': 'packets to that address are silently dropped (a firewall, a security group, or an address nobody answers for)',
      'api.tcp.refused': 'the host answers, but nothing listens on that port (wrong port, or the API server is down)',
      'api.tcp.reset': 'something on the path resets the connection',
    };
    const remediation = [...f.remediation];
    if (f.code === 'api.tcp.unreachable' || f.code === 'api.tcp.timeout') remediation.push(tunnelStep(ctx));
    return {
      status,
      rootCause: `kubectl cannot open a TCP connection to ${ctx.hostPort}: ${f.message.replace(/\.$/, '')}: ${cause[f.code] ?? 'the connection fails'}.${why}`,
      remediation,
    };
  }
  const tls = l.check('api.tls');
  if (tls && (tls.status === 'fail' || tls.status === 'error')) {
    const fails = tls.findings.filter((x) => x.severity === 'fail');
    const kubectlError = tls.evidence?.kubectlError as string | undefined;
    const stalled = fails.some((x) => ['api.tls.mtu-blackhole', 'api.tls.no-answer', 'api.tls.slow-handshake', 'api.tls.handshake-failed'].includes(x.code));
    // the regenerated-CA sentence once: api.tls's own finding may already say it
    const regenerated = l.finding('api.tls.unknown-authority') && !fails.some((x) => /regenerated/.test(x.message)) ? regeneratedCa(kubectlError) : undefined;
    const rootCause = stalled
      ? `The TLS handshake with ${ctx.hostPort} does not complete: ${fails.map((x) => x.message).join(' ')}`
      : `The TLS connection to ${ctx.hostPort} does not verify: ${fails.map((x) => x.message.replace(/ kubectl says: .*$/, '')).join(' ')}` +
        (kubectlError ? ` kubectl fails with "${kubectlError}".` : '') +
        (regenerated ? ` ${regenerated}` : '');
    return { status, rootCause, remediation: dedupe(fails.flatMap((x) => x.remediation)) };
  }
  for (const id of ['api.http', 'api.auth', 'api.health']) {
    const c = l.check(id);
    if (c && (c.status === 'fail' || c.status === 'error')) {
      const fails = c.findings.filter((x) => x.severity === 'fail');
      const lead: Record<string, string> = {
        'api.http': ctx.kube?.cluster.scheme === 'http' ? `kubectl speaks plain HTTP to ${ctx.hostPort} (the server URL is http://), and the request fails:` : `TLS to ${ctx.hostPort} works, but the HTTP request fails:`,
        'api.auth': `The network path to ${ctx.hostPort} works, but authentication fails:`,
        'api.health': `The API server at ${ctx.hostPort} answers, but reports itself unhealthy:`,
      };
      if (id === 'api.auth' && fails.some((x) => x.code === 'api.auth.anonymous')) lead[id] = `The network path to ${ctx.hostPort} works, but kubectl cannot use this context:`;
      return {
        status,
        rootCause: `${lead[id]} ${fails.map((x) => x.message).join(' ') || c.summary}`,
        remediation: dedupe(fails.flatMap((x) => x.remediation)),
      };
    }
  }
  const anyFail = results.find((r) => r.status === 'fail' || r.status === 'error');
  if (anyFail) {
    const fails = anyFail.findings.filter((x) => x.severity === 'fail');
    return { status, rootCause: `${anyFail.title}: ${anyFail.summary}`, remediation: dedupe(fails.flatMap((x) => x.remediation)) };
  }

  // No failure: say what works, and what to watch
  const http = l.check('api.http');
  const auth = l.check('api.auth');
  const version = (http?.evidence?.version as { gitVersion?: string } | undefined)?.gitVersion;
  const works =
    `kubectl can reach the API server ${server}${proxy ? ` through ${proxyPhrase}` : ' directly'}: ` +
    `${ctx.kube?.cluster.scheme === 'http' ? 'plain HTTP, no TLS' : 'TLS verifies against the kubeconfig CA'}${version ? `, the server runs ${version}` : ''}` +
    (auth?.status === 'pass' || auth?.status === 'warn' ? `, and it ${auth.summary.replace(/^authenticated/, 'authenticates the user')}` : '') +
    '.';
  const warns = results.flatMap((r) => r.findings.filter((f) => f.severity === 'warn'));
  if (warns.length === 0) return { status, rootCause: works, remediation: [] };
  return {
    status,
    rootCause: `${works} To watch: ${warns.map((w) => w.message).join(' ')}`,
    remediation: dedupe(warns.flatMap((w) => w.remediation)),
  };
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}
