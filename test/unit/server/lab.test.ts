// The server scenarios, checked with curl and openssl (not with our own code): what the fake API
// servers serve is what a real cluster in that state serves.
import { describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/netns.ts';

const curl = (lab: Lab, ...args: string[]) => lab.exec('curl', ['-sS', '--cacert', lab.files.ca!, '-H', `Authorization: Bearer ${lab.info.token as string}`, ...args]);

describe('lab scenario server-incident', () => {
  it('APIServices (metrics not Available), readyz etcd failing, an endpoint whose certificate lacks its address, 20 days left', async () => {
    const lab = await startLab('server-incident');
    try {
      const list = JSON.parse((await curl(lab, 'https://198.51.100.10:6443/apis/apiregistration.k8s.io/v1/apiservices')).stdout);
      const bad = list.items.filter((i: any) => i.status.conditions[0].status !== 'True').map((i: any) => `${i.metadata.name} ${i.status.conditions[0].reason}`);
      expect(bad).toEqual(['v1beta1.custom.metrics.k8s.io MissingEndpoints', 'v1beta1.metrics.k8s.io FailedDiscoveryCheck']);
      const readyz = await curl(lab, '-w', '\n%{http_code}', 'https://198.51.100.10:6443/readyz?verbose');
      expect(readyz.stdout).toContain('[-]etcd failed: reason withheld');
      expect(readyz.stdout.endsWith('500')).toBe(true);
      const slice = JSON.parse((await curl(lab, 'https://198.51.100.10:6443/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes')).stdout);
      expect(slice.items[0].endpoints.map((e: any) => e.addresses[0])).toEqual(['198.51.100.10', '198.51.100.11']);
      const svc = JSON.parse((await curl(lab, 'https://198.51.100.10:6443/api/v1/namespaces/default/services/kubernetes')).stdout);
      expect(svc.spec.clusterIP).toBe('10.96.0.1');
      // the second endpoint answers TLS with a certificate that does not name it
      const second = await curl(lab, 'https://198.51.100.11:6443/version');
      expect(second.code).toBe(60);
      expect(second.stderr).toMatch(/no alternative certificate subject name matches target (host name|ipv4 address) '198\.51\.100\.11'/);
      const o = await lab.exec('sh', ['-c', `openssl s_client -connect 198.51.100.11:6443 </dev/null 2>/dev/null | openssl x509 -noout -enddate -ext subjectAltName`]);
      expect(o.stdout).toMatch(/IP Address:198\.51\.100\.10/);
      expect(o.stdout).not.toMatch(/198\.51\.100\.11/);
      const end = Date.parse(/notAfter=(.+)/.exec(o.stdout)![1]!);
      expect(Math.round((end - Date.now()) / 86_400_000)).toBeGreaterThanOrEqual(19);
      expect(Math.round((end - Date.now()) / 86_400_000)).toBeLessThanOrEqual(20);
    } finally {
      await lab.stop();
    }
  });
});

describe('lab scenario server-ha', () => {
  it('each endpoint serves a certificate for its own address', async () => {
    const lab = await startLab('server-ha');
    try {
      for (const ip of ['198.51.100.10', '198.51.100.11']) {
        const r = await curl(lab, `https://${ip}:6443/version`);
        expect(r.code, `${ip}: ${r.stderr}`).toBe(0);
        expect(JSON.parse(r.stdout).gitVersion).toBe('v1.31.0');
      }
    } finally {
      await lab.stop();
    }
  });
});
