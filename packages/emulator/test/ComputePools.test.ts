/**
 * Compute pools through snowflake-sdk: created with an instance family a node of which the emulator
 * knows, listed and described with the columns a launcher reads (instance_family, max_nodes), kept in
 * the home across restarts, dropped; a pool that does not exist, an unknown family and bad node counts
 * each answered with Snowflake's kind of error.
 */
import { describe, expect, it } from "vitest"
import { connect, emulator, execute, failing } from "./support.ts"

describe("compute pools", () => {
  it("CREATE, SHOW, DESCRIBE and DROP COMPUTE POOL, kept in the home", async () => {
    const running = await emulator()
    const connection = await connect(running)
    expect(
      (
        await execute(
          connection,
          "CREATE COMPUTE POOL cpu_pool MIN_NODES = 1 MAX_NODES = 2 INSTANCE_FAMILY = cpu_x64_s"
        )
      ).rows
    ).toEqual([{ status: "Compute pool CPU_POOL successfully created." }])
    await execute(
      connection,
      "CREATE COMPUTE POOL IF NOT EXISTS gpu_pool MIN_NODES = 1 MAX_NODES = 1 INSTANCE_FAMILY = GPU_NV_S COMMENT = 'embeddings'"
    )
    expect(
      (
        await failing(
          connection,
          "CREATE COMPUTE POOL cpu_pool MIN_NODES = 1 MAX_NODES = 1 INSTANCE_FAMILY = CPU_X64_S"
        )
      ).code
    ).toBe("002002")
    const shown = await execute<Record<string, unknown>>(connection, "SHOW COMPUTE POOLS")
    expect(
      shown.rows.map((r) => [r["name"], r["instance_family"], r["min_nodes"], r["max_nodes"], r["comment"]])
    ).toEqual([
      ["CPU_POOL", "CPU_X64_S", 1, 2, ""],
      ["GPU_POOL", "GPU_NV_S", 1, 1, "embeddings"]
    ])
    const like = await execute<Record<string, unknown>>(connection, "SHOW COMPUTE POOLS LIKE 'gpu%'")
    expect(like.rows.map((r) => r["name"])).toEqual(["GPU_POOL"])
    // Another emulator on the same home sees them.
    const again = await emulator({ home: running.home })
    const second = await connect(again)
    const described = await execute<Record<string, unknown>>(second, "DESCRIBE COMPUTE POOL cpu_pool")
    expect(described.rows).toMatchObject([{ name: "CPU_POOL", instance_family: "CPU_X64_S", max_nodes: 2 }])
    await execute(second, "DROP COMPUTE POOL cpu_pool")
    expect((await failing(second, "DESCRIBE COMPUTE POOL cpu_pool")).code).toBe("002003")
    await execute(second, "DROP COMPUTE POOL IF EXISTS cpu_pool")
    expect((await failing(second, "DROP COMPUTE POOL cpu_pool")).message).toMatch(/CREATE COMPUTE POOL/)
  })

  it("refuses unknown instance families, bad node counts and options it does not know", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const family = await failing(
      connection,
      "CREATE COMPUTE POOL p MIN_NODES = 1 MAX_NODES = 1 INSTANCE_FAMILY = CPU_X64_XXL"
    )
    expect(family.message).toMatch(/CPU_X64_XXL is not an instance family; one of CPU_X64_XS, /)
    const nodes = await failing(
      connection,
      "CREATE COMPUTE POOL p MIN_NODES = 2 MAX_NODES = 1 INSTANCE_FAMILY = CPU_X64_S"
    )
    expect(nodes.message).toMatch(/MAX_NODES \(1\) must be at least MIN_NODES \(2\)/)
    const missing = await failing(
      connection,
      "CREATE COMPUTE POOL p MAX_NODES = 1 INSTANCE_FAMILY = CPU_X64_S"
    )
    expect(missing.message).toMatch(/MIN_NODES must be a whole number of at least 1 and is required/)
    const unknown = await failing(
      connection,
      "CREATE COMPUTE POOL p MIN_NODES = 1 MAX_NODES = 1 INSTANCE_FAMILY = CPU_X64_S PLACEMENT_GROUP = 'x'"
    )
    expect(unknown.message).toMatch(/not PLACEMENT_GROUP/)
    expect((await execute(connection, "SHOW COMPUTE POOLS")).rows).toEqual([])
  })
})
