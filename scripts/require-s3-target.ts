// `npm run test:s3` runs the end-to-end suite against the S3 endpoint the environment names;
// without one it would quietly test the embedded server instead, so refuse.
if (!process.env.RIVA_TEST_S3_ENDPOINT) {
  console.error(
    'npm run test:s3 needs RIVA_TEST_S3_ENDPOINT, RIVA_TEST_S3_ACCESS_KEY_ID and RIVA_TEST_S3_SECRET_ACCESS_KEY ' +
      '(and optionally RIVA_TEST_S3_REGION, RIVA_TEST_S3_BUCKET_PREFIX). `npm run test:rgw` starts a local Ceph RGW for it.',
  );
  process.exit(2);
}
console.log(`End-to-end suite against ${process.env.RIVA_TEST_S3_ENDPOINT}`);
