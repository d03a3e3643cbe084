// cert.tls: the certificate a host serves. One handshake (SNI = --sni or the host), the chain
// as sent (leaf to root), verified against the system store and --ca-file, and judged: host
// name, validity, missing intermediate, self-signed, Let's Encrypt staging vs production, an
// ingress controller's fake default certificate.
import type { CheckDefinition } from '../../engine/definitions.ts';
import type { FindingInput } from '../../engine/definitions.ts';
import { isIPLiteral } from '../../net/ip.ts';
import { verifyChain, type CertInfo, type VerifyResult } from '../../net/x509.ts';
import { judgeInterception } from '../../net/interception.ts';
import type { ServedHostContext } from './context.ts';
import { installedCaLinux, systemAnchorsFor } from '../../net/trust-store.ts';
import { certInfo } from '../../net/x509.ts';

/** Default certificates ingress controllers serve when they have no usable one for a host. */
const FAKE_CERTS: [RegExp, string][] = [
  [/Kubernetes Ingress Controller Fake Certificate/i, 'ingress-nginx'],
  [/TRAEFIK DEFAULT CERT/i, 'Traefik'],
  [/CN=Kubernetes Gateway Fake Certificate/i, 'a Gateway controller'],
];

export function fakeCertController(c: CertInfo | undefined): string | undefined {
  if (!c) return undefined;
  for (const [re, who] of FAKE_CERTS) if (re.test(c.subject)) return who;
  return undefined;
}

export function isStaging(chain: CertInfo[]): boolean {
  return chain.some((c) => /\(STAGING\)/.test(c.issuer) || /\(STAGING\)/.test(c.subject));
}

export function isLetsEncrypt(chain: CertInfo[]): boolean {
  return chain.some((c) => /O=Let's Encrypt|O=Internet Security Research Group|CN=ISRG Root/.test(c.issuer));
}

const DAY = 86_400_000;

export interface CertJudgement {
  leaf?: CertInfo;
  fake?: string;
  staging: boolean;
  letsEncrypt: boolean;
  selfSigned: boolean;
  missingIntermediate: boolean;
  trustedBySystem: boolean;
  trustedByCaFile?: boolean;
}

export const certTlsCheck: CheckDefinition<ServedHostContext> = {
  id: 'cert.tls',
  title: 'Served certificate',
  codes: [
    'cert.tls.connect-failed',
    'cert.tls.handshake-failed',
    'cert.tls.name-mismatch',
    'cert.tls.untrusted',
    'cert.tls.self-signed',
    'cert.tls.missing-intermediate',
    'cert.tls.expired',
    'cert.tls.not-yet-valid',
    'cert.tls.expiring-soon',
    'cert.tls.staging',
    'cert.tls.fake-certificate',
    'cert.tls.letsencrypt',
    'cert.tls.private-ca',
    'cert.tls.ca-file-invalid',
    'cert.tls.proxy-refused',
    'cert.tls.proxy-intercepted',
    'cert.tls.intercepted',
    'cert.tls.kubeconfig-ca',
  ],
  timeoutMs: (ctx) => ctx.timeoutMs + 2000,
  async run(ctx) {
    // the handshake first: its name lookup and connect proceed while --ca-file is read below
    const handshake = ctx.tls();
    const o = ctx.options;
    const sni = o.sni ?? (isIPLiteral(o.host) ? undefined : o.host);
    const name = o.sni ?? o.host;
    const sClient = `openssl s_client -connect ${ctx.hostPort}${sni ? ` -servername ${sni}` : ''} -showcerts </dev/null`;
    const reproduce = [sClient];
    const caRead = ctx.caFile();
    if (o.caFile) {
      reproduce.push(`openssl s_client -connect ${ctx.hostPort}${sni ? ` -servername ${sni}` : ''} -CAfile ${o.caFile} -verify_return_error ${isIPLiteral(name) ? `-verify_ip ${name}` : `-verify_hostname ${name}`} </dev/null`);
    }
    reproduce.push(`curl -sv -o /dev/null https://${ctx.hostPort}/${o.caFile ? ` --cacert ${o.caFile}` : ''}`);
    const t = await handshake;
    const evidence: Record<string, unknown> = {
      address: ctx.hostPort,
      via: t.via,
      ...(t.proxy ? { proxy: t.proxy } : {}),
      ...(t.connect ? { connect: { statusLine: t.connect.statusLine ?? null, stage: t.connect.stage ?? null, body: t.connect.body ?? null } } : {}),
      sni: t.servername ?? null,
      protocol: t.protocol,
      cipher: t.cipher,
      chain: t.chain,
    };
    if (t.proxy) {
      // what curl does through the same proxy (it reads the same variables)
      reproduce.splice(0, 1, `curl -sv -o /dev/null --proxy ${t.proxy.url} https://${ctx.hostPort}/`, `${sClient.replace(' </dev/null', '')} -proxy ${t.proxy.url.replace(/^https?:\/\//, '').replace(/^[^@]*@/, '').replace(/\/$/, '')} </dev/null`);
    }
    if (!t.ok && t.connect && !t.connect.ok && t.connect.statusCode) {
      // the proxy answered, and not with 2xx: its own words are the evidence
      const c = t.connect;
      const body = c.body?.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
      const message = `The proxy ${t.proxy!.url} (${t.proxy!.source}) refused CONNECT ${c.target}: ${c.statusLine}${body ? ` (${body})` : ''}.`;
      return { summary: `via ${t.via}: CONNECT ${c.target} answered ${c.statusLine}`, findings: [{ code: 'cert.tls.proxy-refused', message }], evidence, reproduce };
    }
    if (!t.ok) {
      const e = t.error;
      evidence.error = e;
      const tcpLevel = e && ['timeout', 'refused', 'unreachable', 'dns', 'reset'].includes(e.kind) && t.chain.length === 0 && !/handshake/.test(e.message);
      const code = tcpLevel ? 'cert.tls.connect-failed' : 'cert.tls.handshake-failed';
      const what = `${e?.message ?? `the TLS handshake with ${ctx.hostPort} failed`}${t.proxy ? ` (via ${t.via})` : ''}`;
      return { summary: what, findings: [{ code, message: `${what}.` }], evidence, reproduce };
    }
    const findings: FindingInput[] = [];
    if (caRead?.error) findings.push({ code: 'cert.tls.ca-file-invalid', message: `--ca-file ${o.caFile} cannot be used: ${caRead.error}.` });
    const now = ctx.now();
    const anchors = systemAnchorsFor(t.certificates, o.env);
    const sys = verifyChain(t.certificates, { roots: anchors.roots, serverName: name, now });
    const ca = caRead?.roots ? verifyChain(t.certificates, { roots: caRead.roots, serverName: name, now }) : undefined;
    // the kubeconfig's API server: verified against the kubeconfig CA, as api and kubectl do (issue 11 point 4)
    const kc = ctx.kubeApiServerCa();
    const kv = kc ? verifyChain(t.certificates, { roots: kc.roots, serverName: name, now }) : undefined;
    const best: VerifyResult = kv && (kv.anchoredBy || (!sys.anchoredBy && !ca?.anchoredBy)) ? kv : ca && (ca.anchoredBy || !sys.anchoredBy) ? ca : sys;
    evidence.trust = {
      system: { store: anchors.source, trusted: sys.trusted, anchoredBy: sys.anchoredBy ?? null, error: sys.goError ?? null },
      ...(ca ? { caFile: { path: o.caFile, trusted: ca.trusted, anchoredBy: ca.anchoredBy ?? null, error: ca.goError ?? null } } : {}),
      ...(kv ? { kubeconfigCa: { server: kc!.server, trusted: kv.trusted, anchoredBy: kv.anchoredBy ?? null, error: kv.goError ?? null } } : {}),
    };
    evidence.verifiedChain = best.chain.map((c) => c.subject);

    const leaf = t.chain[0];
    const fake = fakeCertController(leaf);
    const staging = isStaging(t.chain);
    const le = isLetsEncrypt(t.chain);
    const anchored = !!sys.anchoredBy || !!ca?.anchoredBy || !!kv?.anchoredBy;
    const last = best.chain[best.chain.length - 1];
    const selfSigned = !anchored && !!leaf?.selfSigned && !fake;
    // "missing intermediate" only when the leaf's issuer is itself known to be issued by someone:
    // the certificate names where to fetch it (AIA caIssuers), as every public CA's do. A leaf
    // signed by a private root that no store holds (every API server) has an unknown authority.
    const lastCert = last ? t.certificates[t.chain.findIndex((c) => c.sha256 === last.sha256)] : undefined;
    const aia = /CA Issuers/i.test(lastCert?.infoAccess ?? '');
    const missingIntermediate = !anchored && !!last && !last.selfSigned && !last.isCA && !fake && !staging && aia;
    const judgement: CertJudgement = {
      leaf,
      fake,
      staging,
      letsEncrypt: le,
      selfSigned,
      missingIntermediate,
      trustedBySystem: !!sys.anchoredBy,
      ...(ca ? { trustedByCaFile: !!ca.anchoredBy } : {}),
    };
    evidence.judgement = judgement;

    // Through a proxy, a chain the system store does not trust is most often the proxy's own: an
    // intercepting proxy re-signs every server certificate with its CA. That, not the server's
    // chain, is then what clients behind it see. The rule is the one `api` uses (net/interception.ts).
    // (A chain --ca-file anchors is taken as what the user expects: a private CA, or the proxy's.)
    const interception = judgeInterception({
      chain: t.chain,
      expected: kc ? 'the kubeconfig CA' : o.caFile ? `the system store or --ca-file ${o.caFile}` : 'the system store',
      anchoredBy: kc ? kv!.anchoredBy : sys.anchoredBy || ca?.anchoredBy || undefined,
      ...(t.proxy ? { proxy: { url: t.proxy.url } } : {}),
      ...(fake ? { otherExplanation: `the default certificate of ${fake}` } : staging ? { otherExplanation: "a certificate of Let's Encrypt's staging CA" } : {}),
      ...(kc ? { expectedSubjects: kc.roots.map((r) => certInfo(r).subject), kubeApiServer: {} } : {}),
    });
    const intercepted = interception.intercepted && !!t.proxy;
    // without a proxy: a transparent middlebox (issue 12), on the same evidence as api; or a chain the
    // system store trusts only because the interceptor's CA is installed there (the product names it)
    const transparent = !t.proxy && !fake && !staging && (interception.intercepted || (!!sys.anchoredBy && !!interception.product && !ca?.anchoredBy));
    if (transparent) {
      const installed = installedCaLinux(t.certificates, o.env);
      evidence.interception = {
        decidedBy: interception.evidence.map((e) => e.detail),
        confidence: interception.confidence ?? 'certain',
        ...(interception.product ? { product: interception.product } : {}),
        ...(installed ? { trustedBy: installed.where } : {}),
      };
      const decided = interception.evidence.filter((e) => e.kind !== 'not-anchored').map((e) => e.detail);
      findings.push({
        code: 'cert.tls.intercepted',
        ...(interception.intercepted ? { severity: 'fail' as const } : {}),
        message:
          `${ctx.hostPort} presents ${leaf?.subject} issued by ${leaf?.issuer}${interception.product ? ` (${interception.product})` : ''}: a middlebox on the path intercepts TLS without any proxy setting and re-signs the certificate with its own CA` +
          `${decided.length ? ` (${decided.join('; ')}; ${interception.confidence ?? 'certain'})` : ''}.` +
          (installed
            ? ` Its CA ${installed.subject} is installed in ${installed.where}: that is why curl and browsers on this machine work, while clients that trust only their own CA (kubectl with its kubeconfig CA) fail.`
            : ''),
      });
    }
    if (transparent) {
      // said above
    } else if (intercepted) {
      evidence.interception = { decidedBy: interception.evidence.map((e) => e.detail), ...(interception.product ? { product: interception.product } : {}) };
      findings.push({
        code: 'cert.tls.proxy-intercepted',
        message:
          `Through the proxy ${t.proxy!.url} (${t.proxy!.source}), ${ctx.hostPort} presents ${leaf?.subject} issued by ${leaf?.issuer}, which ${o.caFile ? `neither the system store nor --ca-file ${o.caFile}` : 'the system store does not'} trust${o.caFile ? 's' : ''}: ` +
          `the proxy most likely intercepts TLS and re-signs the certificate with its own CA, so this is the proxy's certificate, not the server's. ` +
          `Clients behind this proxy that do not trust its CA fail with "x509: certificate signed by unknown authority".`,
      });
    } else if (fake) {
      findings.push({
        code: 'cert.tls.fake-certificate',
        message: `${ctx.hostPort} serves "${leaf!.subject}", the default certificate ${fake} presents when it has no valid certificate for the name ${name}: the TLS secret of the Ingress is missing, invalid, or does not cover the host.`,
      });
    } else if (staging) {
      const issuer = t.chain.find((c) => /\(STAGING\)/.test(c.issuer))?.issuer ?? leaf?.issuer;
      findings.push({
        code: 'cert.tls.staging',
        message: `The certificate ${leaf?.subject} is issued by ${issuer}, Let's Encrypt's STAGING environment: browsers and clients do not trust it.`,
      });
    } else if (selfSigned) {
      findings.push({ code: 'cert.tls.self-signed', message: `The certificate ${leaf!.subject} is self-signed: no client trusts it unless told to.` });
    } else if (missingIntermediate) {
      findings.push({
        code: 'cert.tls.missing-intermediate',
        message:
          `The server sends ${t.chain.length === 1 ? 'only the leaf certificate' : `${t.chain.length} certificates`} (${leaf?.subject}); its issuer ${last!.issuer} is neither sent nor a trusted root: ` +
          `the intermediate certificate is missing from the chain. Browsers may fetch it themselves, but curl, Go, Java and ACME clients fail with "unable to get local issuer certificate".`,
      });
    } else if (!anchored) {
      const end = best.chain[best.chain.length - 1];
      const privateRoot = !!end && !end.selfSigned && !aia;
      findings.push({
        code: 'cert.tls.untrusted',
        message:
          `The chain ends at ${end?.subject}${end?.selfSigned ? '' : `, issued by ${end?.issuer}`}, which is not a trusted root (system store${o.caFile ? ` and --ca-file ${o.caFile}` : ''}${kc ? ` and the kubeconfig CA of ${kc.server}` : ''}).` +
          (privateRoot
            ? ` The certificate names no place to fetch an intermediate from (no AIA caIssuers URL): it is signed by a private CA that no trust store here holds (an unknown authority), not missing an intermediate.` +
              (kc && interception.regeneratedCa ? ' Its issuer has the same name as the kubeconfig CA but another key: the cluster CA was regenerated, and the kubeconfig holds the old one.' : '')
            : ''),
      });
    }
    if (kv?.anchoredBy && !sys.anchoredBy && !ca?.anchoredBy) {
      findings.push({
        code: 'cert.tls.kubeconfig-ca',
        message: `${ctx.hostPort} is the kubeconfig's API server (${kc!.server}): its chain is verified against the kubeconfig CA (${kv.anchoredBy}), as kubectl does; the system store does not hold that CA.`,
      });
    }
    if (anchored && !sys.anchoredBy && ca?.anchoredBy) {
      findings.push({ code: 'cert.tls.private-ca', message: `The chain is trusted by --ca-file (${ca.anchoredBy}) but not by the system store: clients without that CA reject it.` });
    }
    if (le && !staging) findings.push({ code: 'cert.tls.letsencrypt', message: `Issued by Let's Encrypt (production): ${leaf?.issuer}.` });
    for (const p of best.problems) {
      if (p.kind === 'name-mismatch' || p.kind === 'no-ip-san' || p.kind === 'legacy-cn-only') {
        if (fake) continue; // the fake certificate explains it
        findings.push({ code: 'cert.tls.name-mismatch', message: `The certificate does not cover ${name}: ${p.message}.` });
      } else if (p.kind === 'expired') findings.push({ code: 'cert.tls.expired', message: capital(`${p.message}.`) });
      else if (p.kind === 'not-yet-valid') findings.push({ code: 'cert.tls.not-yet-valid', message: capital(`${p.message}.`) });
      else if (p.kind === 'expiring-soon') findings.push({ code: 'cert.tls.expiring-soon', message: capital(`${p.message}.`) });
    }

    const days = leaf ? Math.floor((Date.parse(leaf.notAfter) - now.getTime()) / DAY) : 0;
    const trustWords = intercepted
      ? 'intercepted by the proxy'
      : transparent
        ? 'intercepted by a middlebox'
      : anchored
      ? `trusted (${kv?.anchoredBy ? `kubeconfig CA: ${kv.anchoredBy}` : sys.anchoredBy ? `system store: ${sys.anchoredBy}` : `--ca-file: ${ca!.anchoredBy}`})`
      : fake
        ? 'fake default certificate'
        : staging
          ? 'Let\'s Encrypt STAGING'
          : selfSigned
            ? 'self-signed'
            : missingIntermediate
              ? 'intermediate missing'
              : 'not trusted';
    const validity = !leaf ? '' : days < 0 ? `expired ${Math.floor((now.getTime() - Date.parse(leaf.notAfter)) / DAY)} days ago` : Date.parse(leaf.notBefore) > now.getTime() ? `not valid before ${leaf.notBefore}` : `valid ${days} more days`;
    const summary = `${t.proxy ? `via ${t.via}; ` : ''}${t.protocol ?? 'TLS'}; ${leaf?.subject ?? '(no certificate)'} issued by ${leaf?.issuer ?? '?'} (${leaf?.keyType ?? '?'}); ${t.chain.length} sent; ${trustWords}; ${validity}`;
    return { summary, findings, evidence, reproduce };
  },
};

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
