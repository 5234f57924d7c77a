import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseIni } from '../../src/config/ini';
import { DEFAULT_OPTIONS, type HydraOptions } from '../../src/config/options';
import { iniToOptions, validateOptions } from '../../src/config/resolve';
import { ConfigError } from '../../src/errors';
import { checkSecurityOptions, loadKafkaSecurity } from '../../src/config/security';
import { kafkajsSecurityConfig } from '../../src/client/kafkajs/security';
import { TestSession } from '../../src/runner/session';
import { createStudy } from '../../src/study/create';
import { tempDir } from '../helpers';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('security settings ([security] in hydra.ini)', () => {
  let dir: string;
  const secret = `pw-${crypto.randomBytes(8).toString('hex')}`;
  const base: HydraOptions = { ...DEFAULT_OPTIONS, config_file: '' };
  before(() => {
    dir = tempDir();
    fs.writeFileSync(path.join(dir, 'ca.pem'), PEM);
    fs.writeFileSync(path.join(dir, 'cert.pem'), PEM);
    fs.writeFileSync(path.join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n');
    fs.writeFileSync(path.join(dir, 'password'), `${secret}\n`);
    fs.writeFileSync(path.join(dir, 'not.pem'), 'hello');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads every key from hydra.ini', () => {
    const ini = parseIni(
      `[security]\nprotocol = sasl_ssl\nssl_ca_file = ${dir}/ca.pem\nssl_servername = kafka.example\nsasl_mechanism = scram-sha-512\nsasl_username = bench\nsasl_password_env = HYDRA_TEST_PW\n`,
      'h.ini',
    );
    const { values } = iniToOptions(ini, 'h.ini');
    assert.deepEqual(values, {
      security_protocol: 'sasl_ssl',
      ssl_ca_file: `${dir}/ca.pem`,
      ssl_servername: 'kafka.example',
      sasl_mechanism: 'scram-sha-512',
      sasl_username: 'bench',
      sasl_password_env: 'HYDRA_TEST_PW',
    });
    assert.throws(
      () => iniToOptions(parseIni('[security]\nprotocol = tls\n', 'h.ini'), 'h.ini'),
      /h\.ini \[security\] protocol="tls": expected plaintext or ssl or sasl_plaintext or sasl_ssl/,
    );
  });

  it('refuses settings that do not fit together, naming the key', () => {
    const cases: [Partial<HydraOptions>, RegExp][] = [
      [{ ssl_ca_file: 'ca.pem' }, /\[security\] ssl_ca_file: is set but \[security\] protocol is plaintext/],
      [{ security_protocol: 'ssl', sasl_username: 'u' }, /\[security\] sasl_username: is set but \[security\] protocol is ssl/],
      [{ security_protocol: 'sasl_plaintext', sasl_password_env: 'X' }, /\[security\] sasl_username: is required/],
      [{ security_protocol: 'sasl_plaintext', sasl_username: 'u' }, /set exactly one of sasl_password_env and sasl_password_file/],
      [{ security_protocol: 'sasl_plaintext', sasl_username: 'u', sasl_password_env: 'X', sasl_password_file: 'f' }, /set exactly one/],
      [{ security_protocol: 'ssl', ssl_cert_file: 'c.pem' }, /\[security\] ssl_key_file: mutual TLS needs both/],
    ];
    for (const [over, message] of cases) {
      assert.throws(() => checkSecurityOptions({ ...base, ...over }), message);
      assert.throws(() => validateOptions({ ...base, ...over }), message);
    }
  });

  it('builds kafkajs ssl and sasl options from files and the environment', () => {
    const tls = loadKafkaSecurity(
      {
        ...base,
        security_protocol: 'sasl_ssl',
        ssl_ca_file: path.join(dir, 'ca.pem'),
        ssl_cert_file: path.join(dir, 'cert.pem'),
        ssl_key_file: path.join(dir, 'key.pem'),
        ssl_servername: 'kafka.example',
        sasl_mechanism: 'scram-sha-256',
        sasl_username: 'bench',
        sasl_password_env: 'HYDRA_TEST_PW',
      },
      { HYDRA_TEST_PW: secret },
    );
    const config = kafkajsSecurityConfig(tls);
    assert.deepEqual(config.ssl, { ca: [PEM], cert: PEM, key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), servername: 'kafka.example' });
    assert.deepEqual(config.sasl, { mechanism: 'scram-sha-256', username: 'bench', password: secret });

    const fromFile = loadKafkaSecurity(
      { ...base, security_protocol: 'sasl_plaintext', sasl_mechanism: 'plain', sasl_username: 'u', sasl_password_file: path.join(dir, 'password') },
      {},
    );
    assert.deepEqual(kafkajsSecurityConfig(fromFile), { sasl: { mechanism: 'plain', username: 'u', password: secret } });
    // TLS with the system's CAs: kafkajs's ssl: true.
    assert.deepEqual(kafkajsSecurityConfig(loadKafkaSecurity({ ...base, security_protocol: 'ssl' })), { ssl: true });
    assert.equal(loadKafkaSecurity(base), null);
    assert.deepEqual(kafkajsSecurityConfig(null), {});
  });

  it('names the key and the variable or file on a missing secret, never a secret', () => {
    const sasl = { ...base, security_protocol: 'sasl_plaintext' as const, sasl_username: 'u' };
    assert.throws(
      () => loadKafkaSecurity({ ...sasl, sasl_password_env: 'HYDRA_TEST_UNSET' }, {}),
      /\[security\] sasl_password_env="HYDRA_TEST_UNSET": this environment variable is not set/,
    );
    assert.throws(
      () => loadKafkaSecurity({ ...sasl, sasl_password_file: path.join(dir, 'missing') }, {}),
      /\[security\] sasl_password_file=".*missing": cannot read \(ENOENT\)/,
    );
    assert.throws(
      () => loadKafkaSecurity({ ...base, security_protocol: 'ssl', ssl_ca_file: path.join(dir, 'not.pem') }),
      /ssl_ca_file=".*not\.pem": not a PEM file/,
    );
    try {
      loadKafkaSecurity(
        {
          ...sasl,
          sasl_password_file: path.join(dir, 'password'),
          sasl_mechanism: 'plain',
          security_protocol: 'sasl_ssl',
          ssl_ca_file: path.join(dir, 'not.pem'),
        },
        {},
      );
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.ok(!err.message.includes(secret), 'an error message quoted the password');
    }
  });

  it('keeps the password out of study.json: the options hold only where it is', () => {
    const options: HydraOptions = {
      ...base,
      results_dir: dir,
      security_protocol: 'sasl_plaintext',
      sasl_username: 'u',
      sasl_password_env: 'HYDRA_TEST_PW',
      brokers: ['127.0.0.1:9'],
    };
    const previous = process.env.HYDRA_TEST_PW;
    process.env.HYDRA_TEST_PW = secret;
    try {
      const store = createStudy({ kind: 'sweep', options, id: 'secured' });
      const written = fs.readdirSync(store.dir).map((f) => fs.readFileSync(path.join(store.dir, f), 'utf8'));
      assert.ok(written.join('').includes('HYDRA_TEST_PW'), 'the spec says where the password is');
      assert.ok(!written.join('').includes(secret), 'the spec holds the password');
    } finally {
      if (previous === undefined) delete process.env.HYDRA_TEST_PW;
      else process.env.HYDRA_TEST_PW = previous;
    }
  });

  it('refuses security settings with the embedded broker before starting anything', async () => {
    await assert.rejects(
      TestSession.open({ ...base, log_dir: dir, security_protocol: 'ssl' }),
      /\[security\] protocol="ssl": the embedded broker speaks plaintext only; set \[broker\] brokers to a secured cluster/,
    );
  });
});
