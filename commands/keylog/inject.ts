import { Args, Flags } from '@oclif/core';
import path from 'node:path';
import { LeakscopeCommand } from '../../cli/base.js';
import { KEY_FLAGS, keyStoreFromFlags } from '../../cli/keys.js';
import { writeCaptureWithSecrets } from '../../src/decrypt/inject.js';
import { prepareCaptureKeys, scanCapture } from '../../src/engine/scan.js';
import { EXIT, UserError } from '../../src/errors.js';

export default class KeylogInject extends LeakscopeCommand {
  static override summary = 'write a capture as pcapng with the TLS/QUIC keys its connections use embedded (one file anyone can verify)';
  static override description =
    'Reads CAPTURE with the key logs given by --keylog (and any keys already embedded in it), finds the connections whose ' +
    'ClientHello random has secrets, and writes OUT.pcapng: the same packets, with exactly those secrets in one Decryption ' +
    'Secrets Block before the first packet. Wireshark, tshark and leakscope decrypt it without a key log. ' +
    'Exit codes: 0 written; 2 bad usage, an input that is not a capture, a malformed key log, or no key of any connection; 3 the capture was damaged (written up to the damage).';
  static override examples = [
    '<%= config.bin %> keylog inject tls-phone.pcap --keylog sslkeys.log -o phone-with-keys.pcapng',
    '<%= config.bin %> keylog inject tls-phone.pcapng --keylog chrome.keys --keylog curl.keys -o evidence.pcapng',
  ];
  static override args = { capture: Args.string({ description: 'capture file (pcap or pcapng, gzip too)', required: true }) };
  static override flags = {
    ...KEY_FLAGS,
    output: Flags.string({ char: 'o', summary: 'the pcapng file to write', required: true }),
  };

  async run(): Promise<{ output: string; frames: number; connections: number }> {
    const { args, flags } = await this.parse(KeylogInject);
    const limits = this.limitsFrom(flags);
    if (args.capture === '-') throw new UserError('keylog inject reads the capture twice: give a file, not standard input');
    if (path.resolve(flags.output) === path.resolve(args.capture)) throw new UserError(`-o ${flags.output}: would overwrite the capture it reads`);
    const keyStore = keyStoreFromFlags(flags, limits);
    const keys = (await prepareCaptureKeys(args.capture, { keyStore }, limits))!;
    let opened = 0;
    const scan = await scanCapture(args.capture, {
      limits,
      keys,
      sha256: false,
      onFlowClose: (_flow, extra) => {
        if (extra.decryption === 'decrypted') opened++;
      },
    });
    const keyLog = keys.matchedKeyLog();
    if (keyLog === '') {
      throw new UserError(
        `${args.capture}: no connection's ClientHello random has secrets in ${flags.keylog?.length ? flags.keylog.join(', ') : 'the capture'}: nothing to embed`,
        EXIT.badInput,
        ['check that the key log was written while this capture was recorded'],
      );
    }
    const { frames } = await writeCaptureWithSecrets(args.capture, keyLog, flags.output, limits);
    const sessions = keyLog
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split(' ')[1]);
    const connections = new Set(sessions).size;
    this.note(flags, `${flags.output}: ${frames} packets, keys of ${connections} connection(s) embedded (${opened} decrypted here)`);
    if (scan.read.damage) this.exit(EXIT.partial);
    return { output: flags.output, frames, connections };
  }
}
