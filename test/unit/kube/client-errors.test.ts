// The one classification of API errors, on answers recorded from a real kube-apiserver 1.24
// (test/lab/fixtures/kube-apiserver-1.24): what every diagnosis says about a 401, a 403 and a 404.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyStatus, permissionFor } from '../../../src/kube/client.ts';

const FIX = join(import.meta.dirname, '../../lab/fixtures/kube-apiserver-1.24');
const body = (name: string) => JSON.parse(readFileSync(join(FIX, `${name}.body`), 'utf8')) as unknown;

describe('classifyStatus', () => {
  it('401: unauthorized, with the Status message kubectl prints ("Unauthorized")', () => {
    const f = classifyStatus(401, body('bad-token'), 'GET', '/version');
    expect(f).toMatchObject({ ok: false, status: 401, reason: 'unauthorized', message: 'Unauthorized', statusReason: 'Unauthorized' });
  });

  it('403: forbidden, naming the verb, resource and namespace from the server\'s own message', () => {
    const f = classifyStatus(403, body('forbidden-pods'), 'GET', '/api/v1/namespaces/demo/pods?limit=500');
    expect(f.reason).toBe('forbidden');
    expect(f.message).toContain('User "limited-token-user" cannot list resource "pods"');
    expect(f.needs).toEqual({
      verb: 'list',
      resource: 'pods',
      namespace: 'demo',
      text: 'list pods in namespace demo',
      canI: 'kubectl auth can-i list pods -n demo',
    });
  });

  it('403 for the anonymous user on a cluster-scoped list: all namespaces', () => {
    const st = { kind: 'Status', status: 'Failure', message: 'namespaces is forbidden: User "system:anonymous" cannot list resource "namespaces" in API group "" at the cluster scope', reason: 'Forbidden', details: { kind: 'namespaces' }, code: 403 };
    const f = classifyStatus(403, st, 'GET', '/api/v1/namespaces');
    expect(f.reason).toBe('forbidden');
    expect(f.needs?.text).toBe('list namespaces in all namespaces');
    expect(f.needs?.canI).toBe('kubectl auth can-i list namespaces -A');
  });

  it('404 of a kind the server does not serve (selfsubjectreviews on 1.24) is not a missing object', () => {
    const f = classifyStatus(404, body('selfsubjectreview-v1'), 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews');
    expect(f.reason).toBe('kind-not-served');
    expect(f.message).toBe('the server could not find the requested resource');
  });

  it('404 of a group that is not installed (plain text "404 page not found") is the kind too', () => {
    const f = classifyStatus(404, '404 page not found\n', 'GET', '/apis/cilium.io/v2/ciliumnetworkpolicies');
    expect(f).toMatchObject({ reason: 'kind-not-served', message: '404 page not found' });
  });

  it('404 of an object of a served kind names the object', () => {
    const st = { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'pods "web" not found', reason: 'NotFound', details: { name: 'web', kind: 'pods' }, code: 404 };
    expect(classifyStatus(404, st, 'GET', '/api/v1/namespaces/demo/pods/web')).toMatchObject({ reason: 'not-found', message: 'pods "web" not found' });
  });

  it('any other status is an error with its Status message, or the status line', () => {
    expect(classifyStatus(503, { kind: 'Status', message: 'the server is currently unable to handle the request', reason: 'ServiceUnavailable' }, 'GET', '/apis/metrics.k8s.io/v1beta1')).toMatchObject({
      reason: 'error',
      message: 'the server is currently unable to handle the request',
    });
    expect(classifyStatus(500, undefined, 'GET', '/x', 'Internal Server Error').message).toBe('500 Internal Server Error');
  });
});

describe('permissionFor (from the path, when the server does not say)', () => {
  it('a get of one object, a list, a subresource, a CRD group, a POST', () => {
    expect(permissionFor('/api/v1/namespaces/demo/pods/web', 'get').text).toBe('get pods in namespace demo');
    expect(permissionFor('/apis/cert-manager.io/v1/certificates').text).toBe('list certificates.cert-manager.io in all namespaces');
    expect(permissionFor('/api/v1/namespaces/demo/pods/web/exec', 'create').text).toBe('create pods/exec in namespace demo');
    expect(permissionFor('/api/v1/namespaces/demo/services/web/proxy/x', 'get').canI).toBe('kubectl auth can-i get services/proxy -n demo');
  });

  it('the verb of a classified 403 follows the method and the path when the message is not RBAC\'s', () => {
    const st = { kind: 'Status', message: 'forbidden by a webhook', reason: 'Forbidden' };
    expect(classifyStatus(403, st, 'GET', '/api/v1/namespaces/demo/pods/web').needs?.verb).toBe('get');
    expect(classifyStatus(403, st, 'GET', '/api/v1/namespaces/demo/pods').needs?.verb).toBe('list');
    expect(classifyStatus(403, st, 'POST', '/api/v1/namespaces/demo/pods/web/exec').needs?.verb).toBe('create');
  });
});
