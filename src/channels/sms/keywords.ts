/**
 * The SMS keywords Pinpoint answers on its own numbers: opt-out words (STOP and the other words its
 * user guide lists), opt-in words (START), and HELP. A message whose first word is one of them is a
 * keyword message, as in Pinpoint ("a message that begins with a keyword"). Pure: no I/O.
 */
import type { MessageContent, SmsContent } from "../../messages/model.js";

export type KeywordAction = "OPT_OUT" | "OPT_IN" | "HELP";

/** Pinpoint's opt-out words (user guide, "SMS Opt Out"), with the carriers' STOPALL. */
const optOutWords = [
  "ARRET",
  "CANCEL",
  "END",
  "OPT-OUT",
  "OPTOUT",
  "QUIT",
  "REMOVE",
  "STOP",
  "STOPALL",
  "TD",
  "UNSUBSCRIBE",
];
/** Words that opt a number in again. */
const optInWords = ["START", "UNSTOP"];
/**
 * Opts in only a number that is opted out: elsewhere YES is an ordinary answer ("Reply YES to
 * confirm") that a two-way flow must get, not a keyword.
 */
const optInWhenOptedOut = "YES";
const helpWords = ["HELP", "INFO"];

/** The replies a keyword gets, as Pinpoint's defaults word them. */
export const defaultKeywordReplies: Record<KeywordAction, string> = {
  OPT_OUT: "You are now opted out and will no longer receive messages. Reply START to opt in again.",
  OPT_IN: "You are now opted in and will receive messages again. Reply STOP to opt out.",
  HELP: "Reply STOP to opt out of these messages, START to opt in again.",
};

/**
 * The first word of a message, in capitals without trailing punctuation: the keyword, if it is one.
 * @example messageKeyword("  Stop! please ") // "STOP"
 */
export function messageKeyword(body: string): string {
  const [first = ""] = body.trim().split(/\s+/, 1);
  return first.toUpperCase().replace(/[.!?,;:]+$/, "");
}

/**
 * What a message's keyword asks for, or undefined for an ordinary message.
 * @example keywordAction("stop", false) // "OPT_OUT"
 * @example keywordAction("Yes", false) // undefined: only an opted-out number opts in with YES
 */
export function keywordAction(body: string, optedOut: boolean): KeywordAction | undefined {
  const keyword = messageKeyword(body);
  if (optOutWords.includes(keyword)) return "OPT_OUT";
  if (optInWords.includes(keyword)) return "OPT_IN";
  if (keyword === optInWhenOptedOut && optedOut) return "OPT_IN";
  if (helpWords.includes(keyword)) return "HELP";
  return undefined;
}

/**
 * An SMS answering a keyword. It goes out even to a number that has just opted out (the STOP
 * confirmation) or is opted out (HELP), as carriers require; the providers' opt-out check lets it
 * through. Only Waymark makes such content: the API composes SMS content from its own fields.
 */
export interface KeywordReplyContent extends SmsContent {
  keywordReply: KeywordAction;
}

export function isKeywordReply(content: MessageContent): content is KeywordReplyContent {
  return content.kind === "sms" && "keywordReply" in content;
}
