/**
 * The route table: every Pinpoint operation Waymark serves, by resource. The method, path and
 * status of each come from the model (api/model); docs/compatibility.md is generated from this table.
 */
import { appHandlers } from "./apps.js";
import { broadcastHandlers } from "./broadcasts.js";
import { channelHandlers } from "./channels.js";
import { endpointHandlers } from "./endpoints.js";
import { eventStreamHandlers } from "./eventstream.js";
import type { Handlers } from "./handler.js";
import { importExportHandlers } from "./import-export.js";
import { journeyHandlers } from "./journeys.js";
import { messageHandlers } from "./messages.js";
import { otpHandlers } from "./otp.js";
import { phoneNumberHandlers } from "./phone-validate.js";
import { sandboxHandlers } from "./sandbox.js";
import { segmentHandlers } from "./segments.js";
import { templateHandlers } from "./templates.js";

export const routeTable: Handlers = {
  ...appHandlers,
  ...channelHandlers,
  ...endpointHandlers,
  ...eventStreamHandlers,
  ...importExportHandlers,
  ...messageHandlers,
  ...sandboxHandlers,
  ...otpHandlers,
  ...phoneNumberHandlers,
  ...templateHandlers,
  ...segmentHandlers,
  ...journeyHandlers,
  ...broadcastHandlers,
};
