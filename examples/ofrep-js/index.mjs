// Reads the "orders-cutover" flag from Ficus's admin listener over OFREP.
//   FICUS_ADMIN_URL=http://127.0.0.1:9901 FICUS_ADMIN_TOKEN=... npm start
import { OpenFeature } from '@openfeature/server-sdk';
import { OFREPProvider } from '@openfeature/ofrep-provider';

const baseUrl = process.env.FICUS_ADMIN_URL ?? 'http://127.0.0.1:9901';
const token = process.env.FICUS_ADMIN_TOKEN;

await OpenFeature.setProviderAndWait(
  new OFREPProvider({
    baseUrl,
    // Only needed when the admin listener has a token configured ("admin.token_env").
    headers: token ? [['Authorization', `Bearer ${token}`]] : [],
  }),
);
const client = OpenFeature.getClient();

for (const targetingKey of ['570930264', '628742260']) {
  // 'old' is the code default: used when Ficus answers without a value or cannot be reached.
  const details = await client.getStringDetails('orders-cutover', 'old', { targetingKey });
  console.log(JSON.stringify({ targetingKey, value: details.value, variant: details.variant,
                               reason: details.reason, errorCode: details.errorCode }));
}

const missing = await client.getBooleanDetails('no-such-flag', false, { targetingKey: 'u1' });
console.log(JSON.stringify({ flag: 'no-such-flag', value: missing.value, errorCode: missing.errorCode }));

await OpenFeature.close();
