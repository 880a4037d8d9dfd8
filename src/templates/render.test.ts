import { describe, expect, it } from "vitest";
import { PinpointError } from "../api/errors.js";
import { checkTemplateParts, recipientRenderer, renderTemplate, renderText } from "./index.js";
import type { EndpointVariables, MessageVariables } from "./variables.js";

const endpoint: EndpointVariables = {
  Id: "endpoint-1",
  Address: "ana@example.com",
  ChannelType: "EMAIL",
  OptOut: "NONE",
  EndpointStatus: "ACTIVE",
  EffectiveDate: "2026-01-02T03:04:05.000Z",
  CreationDate: "2025-12-01T00:00:00.000Z",
  RequestId: "request-9",
  Attributes: { City: ["Lisbon"], Interests: ["surf", "jazz", "chess"], Empty: [] },
  Metrics: { Visits: 12, Score: 2.5 },
  Demographic: { Platform: "ios", Locale: "pt_PT", Timezone: "Europe/Lisbon" },
  Location: { City: "Porto", Country: "PT", Latitude: 41.1, PostalCode: "4000" },
  User: { UserId: "user-7", UserAttributes: { FirstName: ["Ana"], Age: ["17"], Colors: ["red", "blue"] } },
};

const sms = (Body: string, DefaultSubstitutions?: string) => ({
  TemplateType: "SMS" as const,
  DefaultSubstitutions,
  content: { Body },
});

function body(source: string, variables: MessageVariables = { endpoint }, defaults?: string): string | undefined {
  return renderTemplate(sms(source, defaults), variables).Body;
}

describe("message variables", () => {
  it("resolve the endpoint's standard attributes", () => {
    expect(
      body(
        "{{Id}}|{{Address}}|{{ChannelType}}|{{OptOut}}|{{EndpointStatus}}|{{EffectiveDate}}|{{CreationDate}}|{{RequestId}}",
      ),
    ).toBe("endpoint-1|ana@example.com|EMAIL|NONE|ACTIVE|2026-01-02T03:04:05.000Z|2025-12-01T00:00:00.000Z|request-9");
  });

  it("resolve endpoint attributes, user attributes and the user id", () => {
    expect(body("{{Attributes.City}} {{User.UserAttributes.FirstName}} {{User.UserId}}")).toBe("Lisbon Ana user-7");
  });

  it("render a list attribute as its values joined with a comma and a space", () => {
    expect(body("Likes: {{Attributes.Interests}}")).toBe("Likes: surf, jazz, chess");
  });

  it("keep attribute values a list for indexing and each", () => {
    expect(body("{{User.UserAttributes.Colors.[1]}}: {{#each Attributes.Interests}}<{{this}}>{{/each}}")).toBe(
      "blue: <surf><jazz><chess>",
    );
  });

  it("resolve demographic, location and metric values", () => {
    expect(
      body(
        "{{Demographic.Platform}} {{Demographic.Locale}} {{Location.City}} {{Location.Latitude}} {{Metrics.Visits}}/{{Metrics.Score}}",
      ),
    ).toBe("ios pt_PT Porto 41.1 12/2.5");
  });

  it("leave nothing where the recipient has no value and no default", () => {
    expect(body("Hi {{User.UserAttributes.Nickname}}!{{Attributes.Empty}}{{Location.Region}}")).toBe("Hi !");
  });

  it("work for a bare address with no endpoint", () => {
    expect(renderTemplate(sms("Hi {{User.UserAttributes.FirstName}}{{Id}}."), {}).Body).toBe("Hi .");
  });
});

describe("DefaultSubstitutions", () => {
  const defaults = JSON.stringify({
    "User.UserAttributes.Nickname": "friend",
    "User.UserAttributes.FirstName": "there",
    "Attributes.Empty": "none",
    "Location.Region": "Norte",
    Coupon: "WELCOME10",
  });

  it("fill variables the recipient has no value for", () => {
    expect(
      body("{{User.UserAttributes.Nickname}} {{Attributes.Empty}} {{Location.Region}} {{Coupon}}", undefined, defaults),
    ).toBe("friend none Norte WELCOME10");
  });

  it("give way to the recipient's own values", () => {
    expect(body("Hi {{User.UserAttributes.FirstName}}", undefined, defaults)).toBe("Hi Ana");
    expect(renderTemplate(sms("Hi {{User.UserAttributes.FirstName}}", defaults), {}).Body).toBe("Hi there");
  });

  it("keep a defaulted attribute a list", () => {
    expect(renderTemplate(sms("{{User.UserAttributes.FirstName.[0]}}", defaults), {}).Body).toBe("there");
  });
});

describe("Substitutions", () => {
  it("override the endpoint's values and the defaults", () => {
    const variables = {
      endpoint,
      substitutions: { "User.UserAttributes.FirstName": ["Bea"], "Attributes.City": ["Faro", "Braga"] },
    };
    expect(body("{{User.UserAttributes.FirstName}} in {{Attributes.City}}", variables, '{"Attributes.City":"x"}')).toBe(
      "Bea in Faro, Braga",
    );
  });

  it("define variables of their own", () => {
    expect(body("Code {{Code}}, first {{Code.[0]}}", { endpoint, substitutions: { Code: ["A1", "B2"] } })).toBe(
      "Code A1, B2, first A1",
    );
  });

  it("set one-valued variables to their values joined", () => {
    expect(body("{{Demographic.Platform}}", { endpoint, substitutions: { "Demographic.Platform": ["android"] } })).toBe(
      "android",
    );
  });

  it("never reach an object's prototype", () => {
    const substitutions = { "__proto__.polluted": ["yes"], "constructor.name": ["x"] };
    expect(body("{{polluted}}", { endpoint, substitutions })).toBe("");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("the Event context", () => {
  it("resolves the event's type, attributes and metrics", () => {
    const variables = {
      endpoint,
      event: { EventType: "order.shipped", Attributes: { OrderId: "o-42" }, Metrics: { Total: 99.5 } },
    };
    expect(body("{{Event.EventType}} {{Event.Attributes.OrderId}} {{Event.Metrics.Total}}", variables)).toBe(
      "order.shipped o-42 99.5",
    );
  });

  it("is empty when no event brought the recipient", () => {
    expect(body("[{{Event.Attributes.OrderId}}]")).toBe("[]");
  });
});

describe("HTML escaping", () => {
  const risky = { endpoint: { Attributes: { Name: ['<b>Tom & "Jerry"</b>'] } } };
  const email = {
    TemplateType: "EMAIL" as const,
    content: {
      Subject: "For {{Attributes.Name}}",
      HtmlPart: "<p>{{Attributes.Name}} / {{{Attributes.Name}}}</p>",
      TextPart: "Dear {{Attributes.Name}}",
      Headers: [{ Name: "X-Customer", Value: "{{Attributes.Name}}" }],
    },
  };

  it("escapes values in HtmlPart, and triple braces do not", () => {
    expect(renderTemplate(email, risky).HtmlPart).toBe(
      '<p>&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt; / <b>Tom & "Jerry"</b></p>',
    );
  });

  it("leaves text parts, the subject and headers as written", () => {
    const rendered = renderTemplate(email, risky);
    expect(rendered.Subject).toBe('For <b>Tom & "Jerry"</b>');
    expect(rendered.TextPart).toBe('Dear <b>Tom & "Jerry"</b>');
    expect(rendered.Headers).toEqual([{ Name: "X-Customer", Value: '<b>Tom & "Jerry"</b>' }]);
  });

  it("applies to a direct message's HTML only when asked", () => {
    expect(renderText("{{Attributes.Name}}", risky, { html: true })).toBe(
      "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;",
    );
    expect(renderText("{{Attributes.Name}}", risky)).toBe('<b>Tom & "Jerry"</b>');
  });

  it("renders every text of one recipient's message alike with a recipient renderer", () => {
    const render = recipientRenderer({ ...risky, event: { Attributes: { feature: "Dark mode" } } }, undefined);
    expect(render("{{Attributes.Name}} meets {{Event.Attributes.feature}}", true)).toBe(
      "&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt; meets Dark mode",
    );
    expect(render("{{Attributes.Name}}", false)).toBe('<b>Tom & "Jerry"</b>');
    // Text without a mustache comes back as written, backslashes and all.
    expect(render("No variables \\{ here }", false)).toBe("No variables \\{ here }");
    expect(render("\\{{Attributes.Name}}", false)).toBe(renderText("\\{{Attributes.Name}}", risky));
  });
});

describe("every template type", () => {
  it("renders each text of a push template and leaves its action", () => {
    const rendered = renderTemplate(
      {
        TemplateType: "PUSH",
        content: {
          Default: { Title: "Hi {{User.UserAttributes.FirstName}}", Body: "{{Attributes.City}}", Action: "OPEN_APP" },
          GCM: { Body: "gcm {{Id}}", ImageUrl: "https://img.example.com/{{Id}}.png", RawContent: '{"id":"{{Id}}"}' },
          APNS: { Body: "apns {{Id}}", MediaUrl: "https://m.example.com/{{Id}}" },
        },
      },
      { endpoint },
    );
    expect(rendered.Default).toEqual({ Title: "Hi Ana", Body: "Lisbon", Action: "OPEN_APP" });
    expect(rendered.GCM).toEqual({
      Body: "gcm endpoint-1",
      ImageUrl: "https://img.example.com/endpoint-1.png",
      RawContent: '{"id":"endpoint-1"}',
    });
    expect(rendered.APNS?.MediaUrl).toBe("https://m.example.com/endpoint-1");
  });

  it("renders a voice body and keeps its language and voice", () => {
    const rendered = renderTemplate(
      {
        TemplateType: "VOICE",
        content: {
          Body: "<speak>Hi {{User.UserAttributes.FirstName}}</speak>",
          LanguageCode: "en-US",
          VoiceId: "Joanna",
        },
      },
      { endpoint },
    );
    expect(rendered).toEqual({ Body: "<speak>Hi Ana</speak>", LanguageCode: "en-US", VoiceId: "Joanna" });
  });

  it("shows an in-app template as written, since Pinpoint's take no variables", () => {
    const content = {
      Layout: "TOP_BANNER" as const,
      Content: [{ BodyConfig: { Alignment: "LEFT" as const, Body: "{{Id}}", TextColor: "#000" } }],
    };
    expect(renderTemplate({ TemplateType: "INAPP", content }, { endpoint })).toEqual(content);
  });
});

describe("Pinpoint's helpers", () => {
  it("answer conditions as blocks", () => {
    expect(body('{{#eq User.UserAttributes.Colors.[0] "red"}}red{{else}}other{{/eq}}')).toBe("red");
    expect(body('{{#gt User.UserAttributes.Age.[0] "9"}}older{{else}}younger{{/gt}}')).toBe("older");
    expect(body("{{#lt Metrics.Visits 3}}few{{else}}many{{/lt}}")).toBe("many");
    expect(body('{{#and (eq Location.City "Porto") (eq Location.Country "PT")}}both{{/and}}')).toBe("both");
    expect(body('{{#or (eq Location.City "Faro") (eq Location.City "Braga")}}south{{else}}north{{/or}}')).toBe("north");
    expect(body('{{#not (eq Demographic.Platform "ios")}}not ios{{else}}ios{{/not}}')).toBe("ios");
  });

  it("answer conditions inline with yes and no", () => {
    expect(body('{{neq Demographic.Platform "android" yes="Y" no="N"}}{{gte Metrics.Visits 12 yes="Y" no="N"}}')).toBe(
      "YY",
    );
    expect(body('{{lte Metrics.Visits 11 yes="Y" no="N"}}')).toBe("N");
  });

  it("change case", () => {
    expect(
      body(
        "{{upper Attributes.City}} {{lower Demographic.Platform}} {{capitalize 'ana maria'}} {{capitalizeFirst 'olá'}}",
      ),
    ).toBe("LISBON ios Ana Maria Olá");
  });
});

describe("a template that does not compile", () => {
  function failure(run: () => unknown): PinpointError {
    try {
      run();
    } catch (error) {
      return error as PinpointError;
    }
    throw new Error("expected a failure");
  }

  it("is refused with a 400 naming the part and Handlebars' reason", () => {
    const error = failure(() =>
      checkTemplateParts({ TemplateType: "EMAIL", content: { Subject: "ok", HtmlPart: "<p>{{#if a}}x{{/fi}}</p>" } }),
    );
    expect(error).toBeInstanceOf(PinpointError);
    expect(error.statusCode).toBe(400);
    expect(error.message).toBe("The template's HtmlPart does not compile: if doesn't match fi - 1:6");
  });

  it("names a push part by service and field", () => {
    const error = failure(() => checkTemplateParts({ TemplateType: "PUSH", content: { GCM: { Title: "{{oops" } } }));
    expect(error.message).toMatch(/^The template's GCM\.Title does not compile: Parse error on line 1/);
  });

  it("is refused for an unknown helper, a partial or a decorator", () => {
    expect(failure(() => checkTemplateParts(sms("{{formatCurrency Metrics.Total}}"))).message).toBe(
      'The template\'s Body does not compile: unknown helper "formatCurrency" at line 1, column 0',
    );
    expect(failure(() => checkTemplateParts(sms("{{> footer}}"))).message).toMatch(/partials .* are not supported/);
    expect(failure(() => checkTemplateParts(sms("{{* decorate}}"))).message).toMatch(/decorators .* are not supported/);
  });

  it("is refused for DefaultSubstitutions that are not a JSON object", () => {
    expect(failure(() => checkTemplateParts(sms("hi", "{nope"))).message).toBe(
      "DefaultSubstitutions is not valid JSON",
    );
    expect(failure(() => checkTemplateParts(sms("hi", '["a"]'))).message).toMatch(/must be a JSON object/);
    expect(failure(() => checkTemplateParts(sms("hi", '{"a":{"b":1}}'))).message).toMatch(/default for "a"/);
  });

  it("fails a direct message's render with a 400 too", () => {
    expect(failure(() => renderText("{{#each}}", {})).statusCode).toBe(400);
  });
});
