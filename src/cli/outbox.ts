/** `waymark outbox <app-id>`: what the sandbox holds, newest first, read from the database. */
import type { Command } from "commander";
import { listSandboxMessages } from "../channels/sandbox/outbox.js";
import { loadConfig } from "../config.js";
import { createServices } from "../services.js";
import { openStore } from "../store/index.js";

export function registerOutboxCommand(program: Command): void {
  program
    .command("outbox")
    .description("list the messages the sandbox channel received for an application, newest first")
    .argument("<app-id>", "the application (project) id")
    .option("-n, --limit <count>", "how many messages to show", "20")
    .option("--json", "print JSON lines instead of a table")
    .action(async (appId: string, options: { limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new Error("--limit must be a whole number from 1 to 1000");
      const config = loadConfig();
      const store = openStore(config.databaseUrl);
      try {
        const { Item } = await listSandboxMessages(createServices(config, store), appId, { size: limit });
        for (const message of Item) {
          if (options.json) {
            console.log(JSON.stringify(message));
          } else {
            const content = message.Content;
            const summary = String(content.subject ?? content.title ?? content.body ?? "")
              .replace(/\s+/g, " ")
              .slice(0, 60);
            console.log(
              `${message.CreationDate}  ${message.ChannelType.padEnd(6)} ${message.Address.padEnd(32)} ${summary}`,
            );
          }
        }
        if (Item.length === 0) console.log("The sandbox outbox is empty for this application.");
      } finally {
        await store.close();
      }
    });
}
