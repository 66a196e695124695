/** Test vectors the secret-zero tests share. */

/** age-keygen output pairs: identity, recipient. */
export const AGE_VECTORS: ReadonlyArray<readonly [string, string]> = [
  [
    "AGE-SECRET-KEY-1N84CR29PJTUQA22ALHP4YDL5ZFMXPW5GVETVY3UK58ZD6NPNPDLS4MCZFS",
    "age1c3jdepjm05aey2dq9dgkfn4utj9a776zwqzqcar3879smuh04ysqttvmyd",
  ],
  [
    "AGE-SECRET-KEY-1JQ4L7CGCHC2TE7JUJ7YG4Y4DREUWFD7Y6U5XKFZ3EYTNY62Z5PES6MWJVN",
    "age1f406y9syjcsa2gj2lgz0s2g7suxrytycqr79zccg3d4spcujegqsgl00rd",
  ],
];
