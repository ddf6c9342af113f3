/** Loading data in a component, for the administration and the dashboard: one hook, one state type. */
import { useEffect, useState } from "preact/hooks";

export type Async<T> = { state: "loading" } | { state: "error"; error: unknown } | { state: "ok"; data: T };

/**
 * Runs a fetch whenever `key` changes or `reload()` is called; a stale answer (an older key) is
 * dropped. With `keepWhileLoading`, data already shown stays on screen until the new answer comes
 * (the administration's tables, reloaded after each action, do not flicker); otherwise a new key
 * shows "loading" at once (the dashboard's filters: old figures must not pass for new ones).
 */
export function useAsync<T>(fetcher: () => Promise<T>, key = "", options: { keepWhileLoading?: boolean } = {}): [Async<T>, () => void] {
  const [result, setResult] = useState<Async<T>>({ state: "loading" });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    if (!options.keepWhileLoading || result.state !== "ok") setResult({ state: "loading" });
    fetcher().then(
      (data) => live && setResult({ state: "ok", data }),
      (error: unknown) => live && setResult({ state: "error", error }),
    );
    return () => {
      live = false;
    };
  }, [key, generation]);
  return [result, () => setGeneration((g) => g + 1)];
}
