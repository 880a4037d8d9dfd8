/**
 * The clients Pinpoint users already have, pointed at Waymark by the endpoint URL alone:
 * the AWS CLI and boto3 (Python), besides the JS SDK v3 the other tests use.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer, testCredentials } from "./support/server.js";

const run = promisify(execFile);

describe("AWS CLI and boto3 against Waymark", () => {
  let t: TestServer;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    t = await startTestServer("sqlite");
    env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
      AWS_DEFAULT_REGION: "eu-west-1",
      AWS_ENDPOINT_URL_PINPOINT: t.url,
    };
  });
  afterAll(() => t.close());

  const aws = async (...args: string[]) =>
    JSON.parse((await run("aws", ["pinpoint", ...args, "--output", "json"], { env })).stdout);

  it("the AWS CLI creates an app, upserts an endpoint, sends events and reads them back", async () => {
    const created = await aws("create-app", "--create-application-request", "Name=cli-app,tags={team=ops}");
    const appId = created.ApplicationResponse.Id;
    await aws(
      "update-endpoint",
      "--application-id",
      appId,
      "--endpoint-id",
      "cli-1",
      "--endpoint-request",
      JSON.stringify({ ChannelType: "EMAIL", Address: "cli@example.com", Attributes: { Plan: ["pro"] } }),
    );
    const events = await aws(
      "put-events",
      "--application-id",
      appId,
      "--events-request",
      JSON.stringify({
        BatchItem: {
          "cli-1": { Endpoint: {}, Events: { e1: { EventType: "cli.test", Timestamp: new Date().toISOString() } } },
        },
      }),
    );
    expect(events.EventsResponse.Results["cli-1"].EventsItemResponse.e1.StatusCode).toBe(202);
    const endpoint = await aws("get-endpoint", "--application-id", appId, "--endpoint-id", "cli-1");
    expect(endpoint.EndpointResponse).toMatchObject({ Address: "cli@example.com", Attributes: { Plan: ["pro"] } });
    const tags = await aws("list-tags-for-resource", "--resource-arn", created.ApplicationResponse.Arn);
    expect(tags.TagsModel.tags).toEqual({ team: "ops" });
  });

  it("the AWS CLI reports a wrong secret as the signature error AWS gives", async () => {
    const attempt = run("aws", ["pinpoint", "get-apps"], { env: { ...env, AWS_SECRET_ACCESS_KEY: "wrong" } });
    await expect(attempt).rejects.toMatchObject({ stderr: expect.stringMatching(/InvalidSignatureException/) });
  });

  it("boto3 upserts a batch and raises NotFoundException for an unknown endpoint", async () => {
    const script = `
import json, os, boto3
client = boto3.client("pinpoint", endpoint_url=os.environ["AWS_ENDPOINT_URL_PINPOINT"])
app = client.create_app(CreateApplicationRequest={"Name": "boto3-app"})["ApplicationResponse"]
client.update_endpoints_batch(ApplicationId=app["Id"], EndpointBatchRequest={"Item": [
    {"Id": "py-1", "ChannelType": "SMS", "Address": "+15550123", "User": {"UserId": "py-user"}},
    {"Id": "py-2", "ChannelType": "EMAIL", "Address": "py@example.com", "User": {"UserId": "py-user"}},
]})
user = client.get_user_endpoints(ApplicationId=app["Id"], UserId="py-user")["EndpointsResponse"]["Item"]
try:
    client.get_endpoint(ApplicationId=app["Id"], EndpointId="missing")
    missing = "no error"
except client.exceptions.NotFoundException as error:
    missing = error.response["Error"]["Code"]
print(json.dumps({"ids": sorted(e["Id"] for e in user), "missing": missing}))
`;
    const { stdout } = await run("python3", ["-c", script], { env });
    expect(JSON.parse(stdout)).toEqual({ ids: ["py-1", "py-2"], missing: "NotFoundException" });
  });
});
