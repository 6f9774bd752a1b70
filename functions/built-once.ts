/**
 * A function's adapters, built on first use and reused by every later invocation of the container. A
 * build that fails — a throttled Secrets Manager or S3 read at cold start, a setting missing — is not
 * kept: it fails the invocations that waited for it, and the next one builds again. Invocations that
 * arrive while a build is under way share it.
 */
export function builtOnce<T>(build: () => Promise<T>): () => Promise<T> {
  let building: Promise<T> | undefined;
  return () => {
    if (!building) {
      const attempt = Promise.resolve().then(build);
      building = attempt;
      attempt.catch(() => {
        if (building === attempt) building = undefined;
      });
    }
    return building;
  };
}
