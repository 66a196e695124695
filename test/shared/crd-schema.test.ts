/** scripts/crd-schema.ts: a CRD's structure as a JSON schema of our own, stricter than the API server. */
import { strict as assert } from "node:assert";
import { crdSchema } from "../../scripts/crd-schema";

const CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
spec:
  group: demo.example.com
  names: { kind: Demo }
  versions:
    - name: v1alpha1
      storage: false
      schema: { openAPIV3Schema: { type: object } }
    - name: v1
      storage: true
      schema:
        openAPIV3Schema:
          description: A demo.
          type: object
          x-kubernetes-validations:
            - rule: self.metadata.name == 'demo'
              message: one name only
          properties:
            metadata: { type: object }
            spec:
              type: object
              required: [size]
              properties:
                size:
                  description: How big.
                  default: small
                  type: string
                  enum: [small, large]
                labels:
                  type: object
                  additionalProperties: { type: string }
                raw:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                items:
                  type: array
                  minItems: 1
                  items: { type: string, pattern: "^[a-z]+$" }
            status:
              type: object
              properties: { ready: { type: boolean } }
`;

describe("scripts/crd-schema.ts", () => {
  const data = crdSchema(CRD, "demo v1");

  it("takes the storage version, and says where it came from", () => {
    assert.equal(data.apiVersion, "demo.example.com/v1");
    assert.equal(data.kind, "Demo");
    assert.match(data.$comment, /from demo v1: structure only/);
  });

  it("keeps structure only, closes every object with known properties, and drops the status", () => {
    assert.deepEqual(data.schema, {
      type: "object",
      properties: {
        metadata: { type: "object" },
        spec: {
          type: "object",
          properties: {
            size: { type: "string", enum: ["small", "large"] },
            labels: { type: "object", additionalProperties: { type: "string" } },
            raw: { type: "object" },
            items: { type: "array", minItems: 1, items: { type: "string", pattern: "^[a-z]+$" } },
          },
          required: ["size"],
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    });
  });

  it("lists the CEL rules for the validator to implement, with where they apply", () => {
    assert.deepEqual(data.celRules, [{ path: ".", rule: "self.metadata.name == 'demo'" }]);
  });
});
