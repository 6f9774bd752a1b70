/** A client for the campaign API over real HTTP, as a test calls it: JSON bodies, the key by default. */
export function apiClient(baseUrl: () => string, key: string) {
  return async function call(
    method: string,
    path: string,
    opts: { body?: string | object; headers?: Record<string, string>; key?: boolean } = {},
  ) {
    const body = typeof opts.body === 'object' ? JSON.stringify(opts.body) : opts.body;
    const res = await fetch(`${baseUrl()}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(opts.key === false ? {} : { 'x-api-key': key }),
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...opts.headers,
      },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, headers: res.headers, text, json: json as Record<string, unknown> };
  };
}
