/**
 * The parts of the `smpp` package (farhadi/node-smpp, plain JavaScript without types) Waymark uses.
 * Field names are the SMPP specification's, as the package exposes them.
 */
declare module "smpp" {
  import type { EventEmitter } from "node:events";
  import type { Server as NetServer } from "node:net";

  namespace smpp {
    /** A decoded short_message or message_payload: the text, and the user data header's elements if any. */
    interface DecodedMessage {
      message: string | Buffer;
      udh?: Buffer[];
    }

    type PduOptions = Record<string, unknown>;

    class PDU {
      constructor(command: string, options?: PduOptions);
      command: string;
      command_status: number;
      sequence_number: number;
      system_id?: string;
      password?: string;
      message_id?: string;
      service_type?: string;
      source_addr_ton?: number;
      source_addr?: string;
      dest_addr_ton?: number;
      destination_addr?: string;
      esm_class?: number;
      registered_delivery?: number;
      data_coding?: number;
      short_message?: DecodedMessage | Buffer;
      message_payload?: DecodedMessage | Buffer;
      receipted_message_id?: string;
      message_state?: number;
      isResponse(): boolean;
      response(options?: PduOptions): PDU;
    }

    class Session extends EventEmitter {
      send(pdu: PDU, responseCallback?: (response: PDU) => void): boolean;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
      bind_transceiver(options: PduOptions, responseCallback?: (response: PDU) => void): boolean;
      submit_sm(options: PduOptions, responseCallback?: (response: PDU) => void): boolean;
      deliver_sm(options: PduOptions, responseCallback?: (response: PDU) => void): boolean;
      enquire_link(options?: PduOptions, responseCallback?: (response: PDU) => void): boolean;
      unbind(options?: PduOptions, responseCallback?: (response: PDU) => void): boolean;
    }

    interface Server extends NetServer {
      sessions: Session[];
    }

    interface Encoding {
      match(text: string): boolean;
      encode(text: string): Buffer;
    }

    function connect(options: { url: string; auto_enquire_link_period?: number }, listener?: () => void): Session;
    function createServer(listener: (session: Session) => void): Server;

    const encodings: { ASCII: Encoding; UCS2: Encoding };
    const errors: Record<string, number>;
  }

  export = smpp;
}
