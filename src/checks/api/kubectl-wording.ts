// kubectl's own words for failures netdiag reports (kubectl 1.32 against the real kube-apiserver,
// seen in the lab: test/e2e/real-apiserver.test.ts). Quote these; never paraphrase them.

/** kubectl's 401 line with a warm discovery cache: the server's Status message in parentheses. */
export function kubectl401(statusMessage: string): string {
  return `error: You must be logged in to the server (${statusMessage})`;
}

/** kubectl's 401 line with a cold discovery cache (after its klog discovery errors): client-go's reason. */
export const KUBECTL_401_COLD = 'error: You must be logged in to the server (the server has asked for the client to provide credentials)';

/** kubectl with a user that has no credentials at all: it prompts (basic auth), and without a terminal fails. */
export const KUBECTL_NO_CREDENTIALS_PROMPT = 'Please enter Username:';
export const KUBECTL_NO_CREDENTIALS_EOF = 'error: EOF';

/** kubectl auth whoami before 1.28: 404 (the API is absent) and 403 (authorization runs before routing). */
export const KUBECTL_WHOAMI_404 = 'the selfsubjectreviews API is not enabled in the cluster';
export const KUBECTL_WHOAMI_403 = 'the selfsubjectreviews API is not enabled in the cluster or you do not have permission to call it';

/**
 * kubectl's line for a 400 whose body is not a Status: what it says when a plain http:// request
 * reaches a TLS port of a Go server (kube-apiserver answers "Client sent an HTTP request to an
 * HTTPS server.").
 */
export const KUBECTL_400_UNKNOWN = 'Error from server (BadRequest): the server rejected our request for an unknown reason';

/** kubectl's line for a Forbidden Status. */
export function kubectlForbidden(statusMessage: string): string {
  return `Error from server (Forbidden): ${statusMessage}`;
}

/** The user the server names in a Forbidden Status message (`User "X" cannot ...`). */
export function userInForbidden(statusMessage: string): string | undefined {
  return /\bUser "([^"]+)" cannot /.exec(statusMessage)?.[1];
}

/**
 * Go's signature of a CA with the same name but another key: the kubeconfig CA has the subject
 * the server certificate's issuer names, but its key did not sign the certificate. That is a
 * regenerated cluster CA (kubeadm reset + init, a rebuilt k3s, a restored VM), not a stranger.
 */
export function regeneratedCa(goError: string | undefined): string | undefined {
  const m = /possibly because of "([^"]*verification error[^"]*)" while trying to verify candidate authority certificate "([^"]*)"/.exec(goError ?? '');
  if (!m) return undefined;
  return (
    `The kubeconfig CA is named "${m[2]}" like the CA that issued the server's certificate, but its key did not sign it (Go: "${m[1]}"): ` +
    `the cluster CA was regenerated (same name, different key), so this kubeconfig belongs to an earlier incarnation of the cluster.`
  );
}
