/** PhoneNumberValidate: what Waymark can tell about a phone number without a carrier lookup. */
import type { NumberValidateRequest } from "@aws-sdk/client-pinpoint";
import { validatePhoneNumber } from "../messages/phone-validate.js";
import { type Handlers, member } from "./handler.js";

export const phoneNumberHandlers: Handlers = {
  PhoneNumberValidate: async (input) =>
    validatePhoneNumber(member<NumberValidateRequest>(input, "NumberValidateRequest")),
};
