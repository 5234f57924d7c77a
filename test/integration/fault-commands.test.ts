import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliSandbox, cmdline, processesWithTag, runHydra, waitNoProcesses } from '../helpers';

/**
 * A planned fault's command is hydra's to end: in its own process group, ended with its fault, at
 * Ctrl-C, and — when the runner is killed outright — by the next hydra command that opens the
 * results directory. Real CLI processes, the embedded broker, commands that start children.
 */
describe('planned-fault commands never outlive hydra (child processes, embedded broker)', function () {
  this.timeout(180000);
  const sandbox = cliSandbox();
  const results = (): string => path.join(sandbox.dir(), 'results');
  const common = (): string[] => [
    '--clients=2',
    '--clients_per_app=2',
    '--msg_rates=300',
    '--test_duration=30',
    '--drain_timeout=2',
    `--results_dir=${results()}`,
    `--log_dir=${path.join(sandbox.dir(), 'logs')}`,
    '--config_file=',
  ];
  /** A command that leaves a child running in its group: `sh` waits on a `sleep` it started. */
  const fault = (marker: string): string => `--fault=at=1s for=20s command='sh -c "sleep 600 & wait"' undo='touch ${marker}'`;
  const sleeps = (tag: string): number[] => processesWithTag(tag).filter((pid) => /^sleep 600/.test(cmdline(pid)));

  it('Ctrl-C mid-fault ends the command with what it started and runs its undo before hydra exits', async () => {
    const t = sandbox.tag();
    const marker = path.join(sandbox.dir(), 'undone-int');
    let seen = 0;
    const run = await runHydra(['sweep', '--study_id=ctrl-c', fault(marker), ...common()], {
      tag: t,
      timeoutMs: 120000,
      onStderr: (chunk, kill) => {
        if (!seen && /fault started/.test(chunk)) {
          // Once the command's child runs, interrupt.
          const poll = setInterval(() => {
            if (sleeps(t).length === 0) return;
            clearInterval(poll);
            seen = sleeps(t).length;
            kill('SIGINT');
          }, 50);
        }
      },
    });
    assert.ok(seen > 0, run.stderr);
    assert.equal(run.code, 130, run.stderr);
    assert.ok(fs.existsSync(marker), `the undo ran before exit: ${run.stderr}`);
    assert.deepEqual(await waitNoProcesses(t), [], 'nothing of the command, the apps or the broker is left');
    const ledger = path.join(results(), '.hydra-commands');
    assert.deepEqual(fs.existsSync(ledger) ? fs.readdirSync(ledger) : [], [], 'no record of a running command is left');
  });

  it('after kill -9 of the runner, the next hydra command ends the command’s leftovers and names the undo it did not run', async () => {
    const t = sandbox.tag();
    const marker = path.join(sandbox.dir(), 'undone-kill');
    let survivors: number[] = [];
    const run = await runHydra(['sweep', '--study_id=killed', fault(marker), ...common()], {
      tag: t,
      timeoutMs: 120000,
      onStderr: (chunk, kill) => {
        if (/fault started/.test(chunk)) {
          const poll = setInterval(() => {
            if (sleeps(t).length === 0) return;
            clearInterval(poll);
            kill('SIGKILL');
          }, 50);
        }
      },
    });
    assert.equal(run.signal, 'SIGKILL', run.stderr);
    // The apps and the broker die with the runner (parent-death signal), and so does the command's
    // own process; what the command started lives on in its group, reparented.
    const deadline = Date.now() + 10000;
    for (;;) {
      survivors = processesWithTag(t);
      if (survivors.every((pid) => /^sleep 600/.test(cmdline(pid))) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(survivors.length > 0 && survivors.every((pid) => /^sleep 600/.test(cmdline(pid))), survivors.map(cmdline).join('\n'));
    assert.ok(!fs.existsSync(marker), 'no undo ran: the runner was killed outright');

    const t2 = sandbox.tag();
    const list = await runHydra(['study', 'list', `--results_dir=${results()}`, '--config_file='], { tag: t2, timeoutMs: 30000 });
    assert.equal(list.code, 0, list.stderr);
    assert.match(
      list.stderr,
      /^hydra: ended 1 process of the planned-fault command 'sh -c sleep 600 & wait' \(at=1s for=20s command=.*\), left running by hydra process \d+/m,
    );
    assert.match(
      list.stderr,
      /^hydra: the undo of .* was not run when hydra process \d+ ended: run it by hand if the fault is still in effect: touch .*undone-kill$/m,
    );
    assert.deepEqual(await waitNoProcesses(t), []);
    // Said once: the record is gone.
    const again = await runHydra(['study', 'list', `--results_dir=${results()}`, '--config_file='], { tag: t2, timeoutMs: 30000 });
    assert.doesNotMatch(again.stderr, /planned-fault command/);
  });
});
