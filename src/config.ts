/**
 * The one config loader: `waymark.config.{json,yaml,yml}` (or the file named by WAYMARK_CONFIG),
 * overridden by environment variables. Secrets live here and are never logged.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

const accessKey = z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) });

const eventStreamSink = z.discriminatedUnion("type", [
  z.object({ type: z.literal("webhook"), url: z.url(), headers: z.record(z.string(), z.string()).default({}) }),
  z.object({ type: z.literal("file"), path: z.string().min(1) }),
]);

const smtpProvider = z.object({
  type: z.literal("smtp"),
  /** smtp://user:pass@host:587 or smtps://...; credentials in the URL are never logged. */
  url: z.string().min(1),
  maxConnections: z.coerce.number().int().min(1).default(5),
  messagesPerSecond: z.coerce.number().positive().optional(),
});

const smsProvider = z.discriminatedUnion("type", [
  /** A Twilio-compatible REST API (Twilio itself, or any provider speaking its Messages resource). */
  z.object({
    type: z.literal("twilio"),
    url: z.url().default("https://api.twilio.com"),
    accountSid: z.string().min(1),
    authToken: z.string().min(1),
    messagesPerSecond: z.coerce.number().positive().optional(),
  }),
  z.object({
    type: z.literal("smpp"),
    url: z.string().regex(/^smpps?:\/\//, "an smpp:// or smpps:// URL"),
    systemId: z.string().min(1),
    password: z.string().min(1),
    systemType: z.string().default(""),
    messagesPerSecond: z.coerce.number().positive().optional(),
  }),
]);

/** Sending transports. Any channel without one uses the sandbox: messages stay in a local outbox. */
const providers = z
  .object({
    email: smtpProvider.optional(),
    sms: smsProvider.optional(),
    /** An HTTP voice provider taking {to, from, text|ssml, languageCode, voiceId}. */
    voice: z
      .object({
        url: z.url(),
        headers: z.record(z.string(), z.string()).default({}),
        messagesPerSecond: z.coerce.number().positive().optional(),
      })
      .optional(),
    /** Where APNs requests go; Apple's hosts unless set (tests point it at a local HTTP/2 server). */
    apns: z.object({ productionUrl: z.url(), sandboxUrl: z.url() }).partial().optional(),
    /** Where FCM requests and its OAuth token requests go; Google's hosts unless set. */
    fcm: z.object({ url: z.url(), tokenUrl: z.url() }).partial().optional(),
    /** Where Amazon Device Messaging requests and its token requests go; Amazon's hosts unless set. */
    adm: z.object({ url: z.url(), tokenUrl: z.url() }).partial().optional(),
    /** Baidu Cloud Push's REST base; Baidu's unless set. */
    baidu: z.object({ url: z.url() }).partial().optional(),
  })
  .prefault({});

export const configSchema = z.object({
  server: z
    .object({ host: z.string().default("127.0.0.1"), port: z.coerce.number().int().min(0).max(65535).default(8080) })
    .prefault({}),
  /** `sqlite:./data/waymark.db` (the default) or `postgres://...`. */
  databaseUrl: z.string().default("sqlite:./data/waymark.db"),
  /** What ARNs and the SigV4 credential scope say when a request does not tell. */
  region: z.string().default("us-east-1"),
  accountId: z.string().default("000000000000"),
  /** SigV4 access keys. With none, only loopback may connect and any signature is accepted. */
  accessKeys: z.array(accessKey).default([]),
  /** Event stream destination ARN (Kinesis/Firehose) → where Waymark delivers the records. */
  eventStreams: z.record(z.string(), eventStreamSink).default({}),
  /** `s3://bucket/prefix` → `file:///dir` or `https://host/path`, longest prefix wins. */
  s3: z.record(z.string(), z.string()).default({}),
  providers,
  /** What Waymark answers the SMS keywords with, replacing Pinpoint-like defaults (docs/sms.md). */
  smsKeywordReplies: z
    .object({ OPT_OUT: z.string().min(1), OPT_IN: z.string().min(1), HELP: z.string().min(1) })
    .partial()
    .default({}),
  /** An SMTP listener taking bounce (DSN) and complaint (ARF) reports, off unless a port is set. */
  bounceSmtp: z
    .object({ host: z.string().default("127.0.0.1"), port: z.coerce.number().int().min(0).max(65535) })
    .optional(),
  /** The shared secret provider webhooks (SES notifications) must present; the webhook is off without one. */
  webhookSecret: z.string().min(1).optional(),
  /** Lambda function ARN (custom channels, campaign hooks) → the HTTP URL that runs the same code. */
  lambdaFunctions: z.record(z.string(), z.url()).default({}),
  /** The address people's browsers reach Waymark at, for tracking and unsubscribe links. */
  publicUrl: z.url().default("http://127.0.0.1:8080"),
  /**
   * Signs tracking and unsubscribe links. Unset, Waymark generates one and keeps it in the database,
   * so every process and restart agrees.
   */
  signingSecret: z.string().min(32).optional(),
  /** How often idle workers look for due work in the database (another process may have added it). */
  pollIntervalMs: z.coerce.number().int().min(50).default(2000),
});

export type Config = z.infer<typeof configSchema>;
export type EventStreamSink = z.infer<typeof eventStreamSink>;

const configFiles = ["waymark.config.json", "waymark.config.yaml", "waymark.config.yml"];

function readConfigFile(cwd: string, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const named = env.WAYMARK_CONFIG;
  const path = named ? resolve(cwd, named) : configFiles.map((f) => resolve(cwd, f)).find((f) => existsSync(f));
  if (!path) return {};
  const text = readFileSync(path, "utf8");
  const parsed: unknown = path.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

/** Environment variables that override the file, by config path. */
function environmentOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const server: Record<string, unknown> = {};
  if (env.HOST) server.host = env.HOST;
  if (env.PORT) server.port = env.PORT;
  if (Object.keys(server).length) out.server = server;
  if (env.DATABASE_URL) out.databaseUrl = env.DATABASE_URL;
  if (env.WAYMARK_REGION) out.region = env.WAYMARK_REGION;
  if (env.WAYMARK_ACCOUNT_ID) out.accountId = env.WAYMARK_ACCOUNT_ID;
  if (env.WAYMARK_ACCESS_KEY_ID && env.WAYMARK_SECRET_ACCESS_KEY) {
    out.accessKeys = [{ accessKeyId: env.WAYMARK_ACCESS_KEY_ID, secretAccessKey: env.WAYMARK_SECRET_ACCESS_KEY }];
  }
  if (env.WAYMARK_POLL_INTERVAL_MS) out.pollIntervalMs = env.WAYMARK_POLL_INTERVAL_MS;
  if (env.WAYMARK_PUBLIC_URL) out.publicUrl = env.WAYMARK_PUBLIC_URL;
  if (env.WAYMARK_SIGNING_SECRET) out.signingSecret = env.WAYMARK_SIGNING_SECRET;
  if (env.WAYMARK_BOUNCE_SMTP_PORT) out.bounceSmtp = { port: env.WAYMARK_BOUNCE_SMTP_PORT };
  if (env.WAYMARK_WEBHOOK_SECRET) out.webhookSecret = env.WAYMARK_WEBHOOK_SECRET;
  return out;
}

/**
 * Loads and validates the configuration; a bad file fails with every problem listed.
 * @example const config = loadConfig({ cwd: process.cwd(), env: process.env, overrides: { server: { port: 0 } } });
 */
export function loadConfig(
  options: { cwd?: string; env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> } = {},
): Config {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = readConfigFile(cwd, env);
  const fromEnv = environmentOverrides(env);
  const merged = {
    ...file,
    ...fromEnv,
    ...options.overrides,
    server: {
      ...(file.server as object | undefined),
      ...(fromEnv.server as object | undefined),
      ...(options.overrides?.server as object | undefined),
    },
  };
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new Error(`Invalid configuration:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
