export * from "./StageStore.ts"
