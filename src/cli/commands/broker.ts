import { coerceValue } from '../../config/flags';
import { startEmbeddedBroker } from '../../broker';
import { HELP_FLAG, type CliCommand } from '../command';
import { onShutdown } from '../shutdown';

export const brokerCommand: CliCommand = {
  name: 'broker',
  summary: 'run the embedded broker in the foreground and print its address',
  usage: 'hydra broker [--embedded_brokers=N]',
  description:
    "Starts librdkafka's mock cluster (through kcat) and prints its bootstrap address on stdout, for\n" +
    'reuse across runs: `hydra kafka --brokers=<address>`. Stops on Ctrl-C. For demos and CI only;\n' +
    'its numbers say nothing about a real Kafka.',
  flags: [{ name: 'embedded_brokers', kind: 'int', unit: 'brokers', min: 1, help: 'brokers in the mock cluster', default: 1 }, HELP_FLAG],
  async run(args, io) {
    const raw = args.flags.get('embedded_brokers');
    const count = raw === undefined ? 1 : (coerceValue('int', raw, '--embedded_brokers', { min: 1, max: 16 }) as number);
    const broker = await startEmbeddedBroker({ brokers: count });
    io.stdout.write(broker.brokers.join(',') + '\n');
    io.stderr.write('hydra: embedded broker running; Ctrl-C to stop\n');
    await new Promise<void>((resolve) => {
      onShutdown(async () => {
        await broker.stop();
        resolve();
      });
    });
    return 0;
  },
};
