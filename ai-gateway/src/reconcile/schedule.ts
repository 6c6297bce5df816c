import { describeError, type Logger } from "@event-mesh/service-kit";
import type { Reconciler } from "./reconciler.ts";

/**
 * RECONCILE_INTERVAL_MS: a repairing run over every tenant every `intervalMs` (0: never). A run
 * still in progress when the next is due is not doubled: the next waits a full interval.
 */
export function scheduleReconcile(reconciler: Reconciler, intervalMs: number, logger: Logger) {
  if (intervalMs <= 0) return { stop() {} };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      if (!reconciler.running) await reconciler.run({ by: "schedule", repair: true });
    } catch (error) {
      logger.warn({ err: describeError(error) }, "scheduled reconcile failed");
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, intervalMs);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
