import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// Constructing the pack starts CrossGuard's gRPC server: tests import ./policies, never this file.
new PolicyPack("prefect-alerting", {
    description:
        "Alerting-as-code for Prefect pipelines: automations that fire when they should, on channels that exist, with secrets kept secret.",
    enforcementLevel: "mandatory",
    policies,
});
