import { describe, expect, it } from 'vitest';
import { resolveConfig, type ConfigSources, type PromoteConfig } from '../../src/config/config.ts';
import { COMMAND_LINE_SPELLING } from '../../src/config/spelling.ts';
import { bucketRegionNamedBy } from '../../src/s3/bucket-regions.ts';
import { describeProxySettings, exportProxyInput, NEVER_PROXIED_HOSTS, proxyFor, resolveProxySettings, type ProxySettings } from '../../src/s3/proxy-settings.ts';
import { complete, configError, sources } from './config-fixtures.ts';

describe('aws-region', () => {
  it.each(['auto', 'fr-par', 'garage', 'default', 'us-east-1', 'zone_group.1'])('accepts the store\'s own name %j when s3-endpoint is set', (region) => {
    const config = resolveConfig(sources({ ...complete, awsRegion: region, s3Endpoint: 'https://s3.fr-par.scw.cloud' }));
    expect(config.connection.region).toBe(region);
  });

  it.each(['auto', 'fr-par', 'garage', 'US-EAST-1', 'us-east'])('refuses %j without s3-endpoint, saying an endpoint allows store names', (region) => {
    const message = configError(sources({ ...complete, awsRegion: region }));
    expect(message).toContain('`aws-region` (AWS_REGION or AWS_DEFAULT_REGION) must be an AWS region name such as us-east-1');
    expect(message).toContain('once `s3-endpoint` is set');
    expect(message).toContain(`got "${region}"`);
  });

  it.each(['us-east-1', 'eu-central-2', 'us-gov-west-1', 'ap-southeast-5'])('accepts the AWS region %j without an endpoint', (region) => {
    expect(resolveConfig(sources({ ...complete, awsRegion: region })).connection.region).toBe(region);
  });

  it.each(['fr par', '-auto', 'a/b', 'x'.repeat(64)])('refuses %j even with an endpoint: it is signed into every request', (region) => {
    const message = configError(sources({ ...complete, awsRegion: region, s3Endpoint: 'http://127.0.0.1:9000' }));
    expect(message).toContain('must be a region name');
  });
});

describe('to-bucket', () => {
  const promote = { ...complete, mode: 'promote', fromEnvironment: 'dev' };

  it('defaults to the source bucket', () => {
    const config = resolveConfig(sources(promote)) as PromoteConfig;
    expect(config.toBucket).toBe('deployments');
    expect(config.bucket).toBe('deployments');
  });

  it('comes from the input, else RIVA_PROMOTE_TO_BUCKET', () => {
    expect((resolveConfig(sources({ ...promote, toBucket: 'prod-models' }, { RIVA_PROMOTE_TO_BUCKET: 'other' })) as PromoteConfig).toBucket).toBe('prod-models');
    expect((resolveConfig(sources(promote, { RIVA_PROMOTE_TO_BUCKET: 'other-models' })) as PromoteConfig).toBucket).toBe('other-models');
  });

  it('lets the environment keep its name across buckets, not within one', () => {
    const across = resolveConfig(sources({ ...promote, fromEnvironment: 'prod', toBucket: 'prod-models' })) as PromoteConfig;
    expect(across).toMatchObject({ fromEnvironment: 'prod', environment: 'prod', toBucket: 'prod-models' });
    const message = configError(sources({ ...promote, fromEnvironment: 'prod' }));
    expect(message).toContain('are both "prod"');
    expect(message).toContain('`to-bucket` (RIVA_PROMOTE_TO_BUCKET)');
  });

  it('refuses a bad bucket name, and belongs to promote only', () => {
    expect(configError(sources({ ...promote, toBucket: 'Bad_Bucket' }))).toContain('`to-bucket` (RIVA_PROMOTE_TO_BUCKET)');
    expect(configError(sources({ ...complete, toBucket: 'prod-models' }))).toContain('`to-bucket` belongs to mode promote');
    expect(configError({ ...sources({ ...complete, toBucket: 'prod-models' }), spelling: COMMAND_LINE_SPELLING })).toContain('`--to-bucket` belongs to --promote');
  });
});

describe('http-proxy and the proxy variables', () => {
  const proxyOf = (inputs: ConfigSources['inputs'], env: ConfigSources['env'] = {}) => resolveConfig(sources({ ...complete, ...inputs }, env)).connection.proxy;

  it('is direct when nothing names a proxy', () => {
    expect(proxyOf({}, { NO_PROXY: 'example.com' })).toBeUndefined();
  });

  it('takes the input (or RIVA_STAGE_HTTP_PROXY) over the variables, for both schemes', () => {
    const proxy = proxyOf({ httpProxy: 'http://proxy.corp:3128' }, { HTTPS_PROXY: 'http://other:1', HTTP_PROXY: 'http://other:2' });
    expect(proxy?.https).toEqual({ url: 'http://proxy.corp:3128/', from: 'http-proxy' });
    expect(proxy?.http).toEqual(proxy?.https);
    expect(proxyOf({}, { RIVA_STAGE_HTTP_PROXY: 'proxy.corp:8080', HTTPS_PROXY: 'http://other:1' })?.https?.url).toBe('http://proxy.corp:8080/');
  });

  it('reads each scheme\'s variable, lower case first as the Actions toolkit does', () => {
    const proxy = proxyOf({}, { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:1', HTTP_PROXY: 'http://plain:2', NO_PROXY: 'localhost, .internal' });
    expect(proxy).toEqual({
      https: { url: 'http://lower:1/', from: 'https_proxy' },
      http: { url: 'http://plain:2/', from: 'HTTP_PROXY' },
      noProxy: ['localhost', '.internal'],
    });
  });

  it('refuses a proxy that is not http(s), naming the input or the variable, with its password masked', () => {
    const input = configError(sources({ ...complete, httpProxy: 'socks5://user:hunter2@proxy:1080' }));
    expect(input).toContain('`http-proxy` (RIVA_STAGE_HTTP_PROXY) must be an http:// or https:// proxy URL');
    expect(input).toContain('socks5 proxies are not supported');
    expect(input).toContain('got "socks5://***@proxy:1080"');
    expect(input).not.toContain('hunter2');
    const variable = configError(sources(complete, { HTTPS_PROXY: 'ftp://user:hunter2@proxy:21' }));
    expect(variable).toContain('HTTPS_PROXY must be an http:// or https:// proxy URL');
    expect(variable).toContain('got "ftp://***@proxy:21"');
    expect(variable).toContain('set `http-proxy`, which takes precedence');
    expect(variable).not.toContain('hunter2');
    expect(configError({ ...sources(complete, { HTTPS_PROXY: 'ftp://proxy:21' }), spelling: COMMAND_LINE_SPELLING })).toContain('set `--http-proxy`');
  });
});

describe('proxyFor', () => {
  const settings: ProxySettings = {
    https: { url: 'http://proxy:3128/', from: 'HTTPS_PROXY' },
    http: { url: 'http://plain-proxy:3128/', from: 'HTTP_PROXY' },
    noProxy: ['.internal', 'minio.local:9000', '10.0.0.5', '[::1]:8080', 'fd00::7'],
  };
  const route = (url: string, given = settings) => proxyFor(new URL(url), given);

  it('sends each scheme to its proxy', () => {
    expect(route('https://bucket.s3.eu-west-1.amazonaws.com/key')).toBe('http://proxy:3128/');
    expect(route('https://sts.us-east-1.amazonaws.com/')).toBe('http://proxy:3128/');
    expect(route('http://minio.example:9000/')).toBe('http://plain-proxy:3128/');
  });

  it('goes direct for NO_PROXY hosts: a domain and its subdomains, a host on one port, IP addresses', () => {
    expect(route('https://s3.internal/')).toBeUndefined();
    expect(route('https://a.b.internal:8443/')).toBeUndefined();
    expect(route('https://internal.example/')).toBe('http://proxy:3128/');
    expect(route('http://minio.local:9000/')).toBeUndefined();
    expect(route('http://minio.local:9001/')).toBe('http://plain-proxy:3128/');
    expect(route('http://10.0.0.5:9000/')).toBeUndefined();
    expect(route('http://[::1]:8080/')).toBeUndefined();
    expect(route('http://[::1]:8081/')).toBe('http://plain-proxy:3128/');
    expect(route('https://[fd00::7]/')).toBeUndefined();
    expect(route('https://anything/', { ...settings, noProxy: ['*'] })).toBeUndefined();
  });

  it('never proxies the instance metadata service or the container credential endpoints, whatever is set', () => {
    const everything: ProxySettings = { https: settings.https, http: settings.http, noProxy: [] };
    for (const host of NEVER_PROXIED_HOSTS) {
      const name = host.includes(':') ? `[${host}]` : host;
      expect(route(`http://${name}/latest/api/token`, everything)).toBeUndefined();
      expect(route(`https://${name}/`, everything)).toBeUndefined();
    }
    expect(route('http://169.254.169.253/', everything)).toBe('http://plain-proxy:3128/');
  });

  it('goes direct for a scheme without a proxy', () => {
    expect(route('http://minio.example/', { ...settings, http: undefined })).toBeUndefined();
  });

  it('goes direct for IP addresses in a NO_PROXY CIDR range, and never for a host name or an address outside it', () => {
    const ranges: ProxySettings = { ...settings, noProxy: ['10.0.0.0/8', '192.168.4.0/22', 'fd00:abcd::/32'] };
    expect(route('http://10.200.3.4:9000/', ranges)).toBeUndefined();
    expect(route('http://192.168.7.255/', ranges)).toBeUndefined();
    expect(route('https://[fd00:abcd:1::5]/', ranges)).toBeUndefined();
    expect(route('http://11.0.0.1/', ranges)).toBe('http://plain-proxy:3128/');
    expect(route('http://192.168.8.1/', ranges)).toBe('http://plain-proxy:3128/');
    expect(route('https://[fd00:abce::5]/', ranges)).toBe('http://proxy:3128/');
    // No name is resolved: a host name is not an address in the range, whatever it resolves to.
    expect(route('http://minio.corp:9000/', ranges)).toBe('http://plain-proxy:3128/');
    // An IPv4 range says nothing of IPv6 addresses, and an entry that is no range covers nothing.
    expect(route('https://[::ffff:10.0.0.1]/', ranges)).toBe('http://proxy:3128/');
    for (const broken of ['10.0.0.0/33', '10.0.0.0/', 'corp/8', '10.0.0.0/-1']) {
      expect(route('http://10.0.0.1/', { ...settings, noProxy: [broken] })).toBe('http://plain-proxy:3128/');
    }
  });
});

describe('proxy settings around the run', () => {
  it('describes the route with the proxy\'s credentials masked', () => {
    const settings = resolveProxySettings('http://stage:s3cret@proxy.corp:3128/', { NO_PROXY: 'localhost' }).settings!;
    const line = describeProxySettings(settings);
    expect(line).toBe(
      'Requests go through http://***@proxy.corp:3128/ (from http-proxy); direct for NO_PROXY localhost; never for the instance metadata or container credential endpoints.',
    );
    const split = describeProxySettings(resolveProxySettings(undefined, { HTTPS_PROXY: 'http://a:1' }).settings!);
    expect(split).toContain('https through http://a:1/ (from HTTPS_PROXY), http through direct');
  });

  it('exports an input proxy to the variables the Actions cache reads, and leaves variables alone otherwise', () => {
    const env: NodeJS.ProcessEnv = { https_proxy: 'http://old:1' };
    exportProxyInput(resolveProxySettings('http://proxy.corp:3128/', env).settings, env);
    expect(env).toEqual({
      https_proxy: 'http://proxy.corp:3128/',
      HTTPS_PROXY: 'http://proxy.corp:3128/',
      http_proxy: 'http://proxy.corp:3128/',
      HTTP_PROXY: 'http://proxy.corp:3128/',
    });
    const untouched: NodeJS.ProcessEnv = { HTTPS_PROXY: 'http://a:1' };
    exportProxyInput(resolveProxySettings(undefined, untouched).settings, untouched);
    expect(untouched).toEqual({ HTTPS_PROXY: 'http://a:1' });
  });
});

describe('bucketRegionNamedBy', () => {
  const answer = (status: number, region?: string) => ({
    name: 'PermanentRedirect',
    $metadata: { httpStatusCode: status },
    $response: { headers: region === undefined ? {} : { 'x-amz-bucket-region': region } },
  });

  it('reads the bucket\'s region from a redirect (301, 307) or a 400 that names another region', () => {
    expect(bucketRegionNamedBy(answer(301, 'eu-west-3'), 'us-east-1')).toBe('eu-west-3');
    expect(bucketRegionNamedBy(answer(307, 'eu-west-3'), 'us-east-1')).toBe('eu-west-3');
    expect(bucketRegionNamedBy(answer(400, 'eu-west-3'), 'us-east-1')).toBe('eu-west-3');
  });

  it('is no redirect when the answer names the region already used, names none, or is another failure', () => {
    expect(bucketRegionNamedBy(answer(301, 'us-east-1'), 'us-east-1')).toBeUndefined();
    expect(bucketRegionNamedBy(answer(301), 'us-east-1')).toBeUndefined();
    expect(bucketRegionNamedBy(answer(403, 'eu-west-3'), 'us-east-1')).toBeUndefined();
    expect(bucketRegionNamedBy(answer(500, 'eu-west-3'), 'us-east-1')).toBeUndefined();
    expect(bucketRegionNamedBy(new Error('ECONNRESET'), 'us-east-1')).toBeUndefined();
  });
});
