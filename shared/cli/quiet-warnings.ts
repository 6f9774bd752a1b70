/**
 * Node prints "SQLite is an experimental feature" on first use of node:sqlite, which the embedded stores
 * use; users of the CLI cannot act on it, so it is dropped. Every other warning is printed as usual.
 * Imported first by the entry points, before anything loads node:sqlite.
 */
const emit = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  if (text.startsWith('SQLite is an experimental feature')) return;
  (emit as (...a: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
