/** Every background task, by the name jobs are added with. */
import type { Task } from "./types.js";

export const tasks: Record<string, Task> = {};
