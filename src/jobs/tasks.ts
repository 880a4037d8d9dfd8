/** Every background task, by the name jobs are added with. */
import { exportJobTask, importJobTask } from "../import-export/index.js";
import { fanoutTask, journeyFanoutTask } from "../journeys/triggers/index.js";
import type { Task } from "./types.js";

export const tasks: Record<string, Task> = {
  "import-job": importJobTask,
  "export-job": exportJobTask,
  [fanoutTask]: journeyFanoutTask,
};
