import {
  BadRequestException,
  CreateAppCommand,
  NotFoundException,
  SendOTPMessageCommand,
  type SendOTPMessageRequestParameters,
  VerifyOTPMessageCommand,
} from "@aws-sdk/client-pinpoint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromJson } from "../src/store/index.js";
import { databases, startTestServer, type TestServer } from "./support/server.js";

describe.each(databases)("one-time passwords on %s", (kind) => {
  let t: TestServer;
  let appId: string;
  beforeAll(async () => {
    t = await startTestServer(kind);
    const app = await t.client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: "OTP" } }));
    appId = app.ApplicationResponse?.Id ?? "";
  });
  afterAll(() => t.close());

  const db = () => t.server.services.store.db;
  let nextNumber = 100;
  const request = (overrides: Partial<SendOTPMessageRequestParameters> = {}): SendOTPMessageRequestParameters => ({
    Channel: "SMS",
    BrandName: "ExampleCorp",
    CodeLength: 6,
    ValidityPeriod: 10,
    AllowedAttempts: 3,
    OriginationIdentity: "+18555550142",
    DestinationIdentity: `+1206555${String(nextNumber++).padStart(4, "0")}`,
    ReferenceId: "CreateAccount",
    ...overrides,
  });
  /** Sends a code and reads it from the SMS that reached the sandbox outbox. */
  const sendCode = async (parameters: SendOTPMessageRequestParameters) => {
    const sent = await t.client.send(
      new SendOTPMessageCommand({ ApplicationId: appId, SendOTPMessageRequestParameters: parameters }),
    );
    const result = sent.MessageResponse?.Result?.[parameters.DestinationIdentity ?? ""];
    const outbox = await db()
      .selectFrom("sandbox_messages")
      .select(["address", "channel", "content"])
      .where("message_id", "=", result?.MessageId ?? "")
      .executeTakeFirstOrThrow();
    const body = fromJson<{ body: string }>(outbox.content).body;
    const code = /One Time Password: (\d+) from/.exec(body)?.[1] ?? "";
    return { sent, result, outbox, body, code };
  };
  const verify = async (parameters: SendOTPMessageRequestParameters, Otp: string) => {
    const answer = await t.client.send(
      new VerifyOTPMessageCommand({
        ApplicationId: appId,
        VerifyOTPMessageRequestParameters: {
          DestinationIdentity: parameters.DestinationIdentity,
          ReferenceId: parameters.ReferenceId,
          Otp,
        },
      }),
    );
    return answer.VerificationResponse?.Valid;
  };
  const wrong = (code: string) => code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));

  it("sends the code by SMS in Pinpoint's wording and answers Pinpoint's MessageResponse", async () => {
    const parameters = request({ CodeLength: 8 });
    const { sent, result, outbox, body, code } = await sendCode(parameters);
    expect(sent.MessageResponse?.ApplicationId).toBe(appId);
    expect(result).toMatchObject({ DeliveryStatus: "SUCCESSFUL", StatusCode: 200 });
    expect(result?.StatusMessage).toBe(`MessageId: ${result?.MessageId}`);
    expect(outbox).toMatchObject({ address: parameters.DestinationIdentity, channel: "SMS" });
    expect(code).toMatch(/^\d{8}$/);
    expect(body).toBe(`This is your One Time Password: ${code} from ExampleCorp`);
    const row = await db()
      .selectFrom("otp_codes")
      .selectAll()
      .where("destination_identity", "=", parameters.DestinationIdentity ?? "")
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(code);
    expect(row.attempts_left).toBe(3);
  });

  it("takes a right code once and refuses it afterwards", async () => {
    const parameters = request();
    const { code } = await sendCode(parameters);
    expect(await verify(parameters, code)).toBe(true);
    expect(await verify(parameters, code)).toBe(false);
  });

  it("counts each wrong try against the attempts allowed", async () => {
    const parameters = request({ AllowedAttempts: 3 });
    const { code } = await sendCode(parameters);
    const attemptsLeft = async () =>
      (
        await db()
          .selectFrom("otp_codes")
          .select("attempts_left")
          .where("destination_identity", "=", parameters.DestinationIdentity ?? "")
          .executeTakeFirstOrThrow()
      ).attempts_left;
    expect(await verify(parameters, wrong(code))).toBe(false);
    expect(await attemptsLeft()).toBe(2);
    expect(await verify(parameters, "not-a-code")).toBe(false);
    expect(await attemptsLeft()).toBe(1);
    expect(await verify(parameters, code)).toBe(true);
  });

  it("refuses even the right code once the attempts are used up", async () => {
    const parameters = request({ AllowedAttempts: 2 });
    const { code } = await sendCode(parameters);
    expect(await verify(parameters, wrong(code))).toBe(false);
    expect(await verify(parameters, wrong(code))).toBe(false);
    expect(await verify(parameters, code)).toBe(false);
  });

  it("refuses an expired code", async () => {
    const parameters = request({ ValidityPeriod: 5 });
    const { code } = await sendCode(parameters);
    // Five minutes pass.
    await db()
      .updateTable("otp_codes")
      .set({ expires_ms: Date.now() - 1 })
      .where("destination_identity", "=", parameters.DestinationIdentity ?? "")
      .execute();
    expect(await verify(parameters, code)).toBe(false);
  });

  it("needs the reference id and destination the code was sent with", async () => {
    const parameters = request({ ReferenceId: "Checkout" });
    const { code } = await sendCode(parameters);
    expect(await verify({ ...parameters, ReferenceId: "CreateAccount" }, code)).toBe(false);
    expect(await verify({ ...parameters, DestinationIdentity: "+12065559999" }, code)).toBe(false);
    expect(await verify(parameters, code)).toBe(true);
  });

  it("replaces the code when a new one is sent for the same destination and reference", async () => {
    const parameters = request();
    const first = await sendCode(parameters);
    const second = await sendCode(parameters);
    if (first.code !== second.code) expect(await verify(parameters, first.code)).toBe(false);
    expect(await verify(parameters, second.code)).toBe(true);
  });

  it("refuses parameters outside Pinpoint's limits and sends nothing", async () => {
    const before = await db().selectFrom("sandbox_messages").select("seq").execute();
    for (const bad of [
      { Channel: "VOICE" },
      { CodeLength: 4 },
      { CodeLength: 9 },
      { ValidityPeriod: 61 },
      { AllowedAttempts: 6 },
      { BrandName: "A brand name that is far too long" },
      { ReferenceId: "r".repeat(49) },
      { DestinationIdentity: "2065550100" },
      { Language: "xx-XX" },
    ]) {
      await expect(
        t.client.send(
          new SendOTPMessageCommand({ ApplicationId: appId, SendOTPMessageRequestParameters: request(bad) }),
        ),
      ).rejects.toBeInstanceOf(BadRequestException);
    }
    const after = await db().selectFrom("sandbox_messages").select("seq").execute();
    expect(after.length).toBe(before.length);
  });

  it("answers NotFoundException for an unknown app", async () => {
    await expect(
      t.client.send(
        new SendOTPMessageCommand({ ApplicationId: "missing", SendOTPMessageRequestParameters: request() }),
      ),
    ).rejects.toBeInstanceOf(NotFoundException);
  });
});
