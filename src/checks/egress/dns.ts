// egress.dns: DNS inside the pod (live), and whether the policies let DNS reach kube-dns and
// Cilium's DNS proxy (static).
import type { FindingInput } from '../../engine/definitions.ts';
import { ruleText, type PathVerdict } from '../../policy/index.ts';
import type { DestinationPolicies } from './context.ts';
import { dedupe, grouped, podName, podsText, probeSkip, type Check } from './shared.ts';

/** kube-dns's namespace lists that could not be read: its ingress verdict does not count them (said, not a finding). */
function dnsIngressUnread(dest: DestinationPolicies[]): { kubeDnsIngressUnread?: string[] } {
  const unread = dest
    .filter((d) => d.dnsOnly)
    .flatMap((d) => [...(d.np.ok ? [] : [`NetworkPolicies of ${d.namespace}: ${d.np.message}`]), ...(d.cnp && !d.cnp.ok ? [`CiliumNetworkPolicies of ${d.namespace}: ${d.cnp.message}`] : [])]);
  return unread.length ? { kubeDnsIngressUnread: unread } : {};
}

/** Which side drops DNS, and by what: the pod's egress, or kube-dns's own ingress. */
export function dnsSide(p: PathVerdict): { verb: string; why: string } {
  if (p.drops === 'ingress' && p.ingress) {
    const rule = p.ingress.decisive[0];
    return { verb: 'dropped', why: `at kube-dns, by its ingress policies (the pod's egress allows it): ${p.ingress.explanation}${rule && !p.ingress.explanation.includes(ruleText(rule)) ? ` (${ruleText(rule)})` : ''}` };
  }
  return { verb: 'denied', why: `by the pod's egress: ${p.egress.explanation}` };
}

export const dnsCheck: Check = {
  id: 'egress.dns',
  title: 'DNS inside the pod',
  requires: ['egress.pod'],
  codes: ['egress.dns.nxdomain', 'egress.dns.timeout', 'egress.dns.error', 'egress.dns.cname', 'egress.dns.policy-denied', 'egress.dns.fqdn-proxy-missing'],
  timeoutMs: (ctx) => ctx.timeoutMs * 12 + 10_000,
  async run(ctx) {
    const [probes, dnsV, index, targets, dest] = await Promise.all([ctx.probes(), ctx.dnsVerdicts(), ctx.index(), ctx.targets(), ctx.destinationPolicies()]);
    const findings: FindingInput[] = [];
    const reproduce: string[] = [];
    // static: DNS to kube-dns, both sides: the pod's egress and kube-dns's ingress
    for (const g of grouped(dnsV.map((d) => ({ pod: d.pod, value: d })), (d) => `${d.udpPath.allowed}/${d.udpPath.drops}/${d.tcpPath.allowed}/${d.tcpPath.drops}`)) {
      const d = g.value;
      const dnsName = `kube-dns (${d.dnsPod.namespace}, k8s-app=kube-dns)`;
      if (!d.udpPath.allowed) {
        findings.push({
          code: 'egress.dns.policy-denied',
          message: `DNS from ${podsText(g.pods)} to ${dnsName} on UDP/53 is ${dnsSide(d.udpPath).verb} ${dnsSide(d.udpPath).why} Every name fails to resolve, so every destination fails, whatever the policies say about it.`,
        });
      } else if (!d.tcpPath.allowed) {
        findings.push({
          code: 'egress.dns.policy-denied',
          severity: 'warn',
          message: `DNS from ${podsText(g.pods)} to kube-dns is allowed on UDP/53 but ${dnsSide(d.tcpPath).verb} on TCP/53 ${dnsSide(d.tcpPath).why} Answers too large for UDP (truncated, retried over TCP) will fail.`,
        });
      }
    }
    // static: toFQDNs needs the DNS proxy for each name
    for (const pp of probes) {
      for (const t of targets) {
        if (t.service) continue;
        const sel = index.fqdnSelectors(pp.pod);
        if (!sel.length || /^[\d.:]+$/.test(t.host)) continue;
        const proxy = index.dnsProxy(pp.pod, t.host);
        if (!proxy.covers) {
          findings.push({
            code: 'egress.dns.fqdn-proxy-missing',
            message: proxy.intercepted
              ? `Cilium's DNS proxy intercepts the lookups of pod ${podName(pp.pod)} but its dns rules do not match ${t.host}: the lookup is refused and toFQDNs never learns the addresses.`
              : `The policies of pod ${podName(pp.pod)} use toFQDNs, but no rule sends its DNS through Cilium's DNS proxy (toPorts 53 with rules.dns): toFQDNs never learns the addresses of ${t.host}.`,
          });
          break;
        }
      }
    }
    // live
    const skip = probeSkip(probes);
    const live: Record<string, unknown>[] = [];
    const parts: string[] = [];
    if (!skip) {
      for (const pp of probes) {
        for (const r of pp.probe?.results ?? []) {
          const t = targets.find((x) => x.host === r.host && x.port === r.port) ?? (ctx.control?.host === r.host ? ctx.control : undefined);
          live.push({ pod: podName(pp.pod), host: r.host, ...r.dns });
          if (/^[\d.:]+$/.test(r.host)) continue;
          reproduce.push(ctx.kubectl(`exec -n ${pp.pod.namespace} ${pp.pod.name} -- getent ahosts ${r.host}`));
          const isControl = t?.from === 'control';
          if (r.dns.ok) {
            parts.push(`${r.host} → ${r.dns.addresses.join(', ')}${r.dns.canonical && r.dns.canonical !== r.host ? ` (CNAME → ${r.dns.canonical})` : ''}`);
            if (r.dns.canonical && r.dns.canonical.toLowerCase() !== r.host.toLowerCase()) {
              findings.push({ code: 'egress.dns.cname', message: `${r.host} is an alias: the chain ends at ${r.dns.canonical}. toFQDNs matches ${r.host}, the name the application asks for, never ${r.dns.canonical}.` });
            }
          } else {
            parts.push(`${r.host}: ${r.dns.error}`);
            const code = r.dns.error === 'nxdomain' ? 'egress.dns.nxdomain' : r.dns.error === 'timeout' ? 'egress.dns.timeout' : 'egress.dns.error';
            findings.push({
              code,
              severity: isControl ? 'warn' : undefined,
              message: `Inside pod ${podName(pp.pod)}, ${r.host} ${r.dns.error === 'nxdomain' ? 'does not exist (NXDOMAIN)' : r.dns.error === 'timeout' ? `got no DNS answer within ${ctx.timeoutMs} ms` : `failed to resolve: ${r.dns.message}`}${isControl ? ' (the control target)' : ''}.`,
            });
          }
        }
        if (ctx.options.selector) break; // one pod's lookups stand for the group; the verdicts cover all
      }
    }
    const deduped = dedupe(findings);
    return {
      summary: skip && !deduped.length ? skip.summary : skip ? `static only: ${deduped.map((f) => f.code).join(', ')}` : parts.join('; ') || 'nothing to resolve',
      findings: deduped,
      skip: skip && !deduped.length ? true : undefined,
      evidence: { live, ...dnsIngressUnread(dest), dnsPolicy: dnsV.map((d) => ({ pod: podName(d.pod), udp: d.udpPath.allowed, tcp: d.tcpPath.allowed, ...(d.udpPath.drops ?? d.tcpPath.drops ? { drops: d.udpPath.drops ?? d.tcpPath.drops } : {}), explanation: d.udpPath.explanation })) },
      reproduce,
    };
  },
};
