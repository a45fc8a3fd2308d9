/**
 * Whether the job holding an output folder's claim still runs, as the launcher knows it. A claim by a
 * job that has ended, or was deleted (a later job of its name is another job), no longer holds its
 * folder; when the launcher cannot tell, the folder stays with its claimant.
 */
import { isTerminal, type JobLauncherShape } from "@runbatch/spcs-launcher"
import type { SaveMode } from "@runbatch/stage-io"
import { Effect } from "effect"

export const isActive =
  (launcher: JobLauncherShape) =>
  (holder: SaveMode.Claimant): Effect.Effect<boolean> =>
    launcher.getJob(holder.job).pipe(
      Effect.flatMap((handle) =>
        holder.instance !== undefined && holder.instance !== handle.instance
          ? Effect.succeed(false)
          : Effect.map(handle.status, (status) => !isTerminal(status))
      ),
      Effect.catchTag("JobNotFound", () => Effect.succeed(false)),
      Effect.orElseSucceed(() => true)
    )
