import { z } from "zod";
import {
    ChannelKind,
    ChannelRef,
    DocsRow,
    KindDeclaration,
    MirrorSource,
    PlainOption,
    SecretForm,
    SecretKey,
    SecretOption,
    SecretSource,
    kebab,
    secretConfigKey,
    secretSuffix,
} from "./kind";

/**
 * A channel kind from its declaration: everything that names an option (the
 * `channels.<name>` schema, the secret config keys and their checks, the
 * block's sources, the Secrets Manager copies, the docs rows) is read off
 * `options`, so a secret is written once, in its kind's module.
 */
export function defineKind<Spec extends { type: string }>(d: KindDeclaration<Spec>): ChannelKind<Spec> {
    const plain = d.options.filter((o): o is PlainOption => o.secret !== true);
    const secret = d.options.filter((o): o is SecretOption<Spec> => o.secret === true);
    for (const o of secret)
        if (!o.from && !o.form)
            throw new Error(`channel kind ${d.type}: secret option ${o.key} needs a form (or a source other than config)`);
    const fromConfig = secret.filter((o) => !o.from);
    const formOf = (o: SecretOption<Spec>) => o.form!;
    const configKey = (o: SecretOption<Spec>, c: ChannelRef<Spec>, project: string) => secretConfigKey(project, c.name, o);
    const source = (o: SecretOption<Spec>, c: ChannelRef<Spec>, project: string): SecretSource =>
        o.from ? o.from(c.spec) : { configKey: configKey(o, c, project) };

    const schema = z.strictObject({
        type: z.literal(d.type),
        ...Object.fromEntries(plain.map((o) => [o.key, o.required ? o.schema : o.schema.optional()])),
    }) as unknown as z.ZodType<Spec>;

    return {
        ...d,
        schema,
        secretKeyNames: (name) => fromConfig.map((o) => `${name}${secretSuffix(o)}`),
        secrets: (c, project): SecretKey[] =>
            fromConfig.map((o) => ({
                key: configKey(o, c, project),
                form: formOf(o).name,
                purpose: o.purpose?.(c) ?? `${formOf(o).noun} of channel "${c.name}"`,
            })),
        block: {
            ...d.block,
            sources: (c, project) => Object.fromEntries(secret.map((o) => [o.value ?? o.key, source(o, c, project)])),
        },
        mirror: (c, { stack, kebab: name, project }): MirrorSource[] =>
            fromConfig.map((o) => ({
                name: `${o.mirror?.name ?? `${d.type}-${kebab(o.key)}`}-${name}`,
                description: o.mirror?.description(c, stack) ?? `${capital(formOf(o).noun)} of alert channel ${c.name} (stack ${stack})`,
                source: { configKey: configKey(o, c, project) },
            })),
        forms: Object.fromEntries(fromConfig.map((o): [string, SecretForm] => [formOf(o).name, formOf(o)])),
        docs: (project) => docsRows(d, project),
    };
}

/** The kind's rows of the config reference: its plain settings under `channels.<channel>`, its secrets as their own keys. */
function docsRows<Spec extends { type: string }>(d: KindDeclaration<Spec>, project: string): DocsRow[] {
    return d.options.map((o): DocsRow => {
        if (o.secret !== true)
            return {
                key: `channels.<channel>.${o.key}`,
                kind: d.type,
                required: o.required,
                secret: false,
                form: o.form,
                description: o.description,
            };
        return {
            key: o.from ? "(no config key)" : `${project}:<channel>${secretSuffix(o)}`,
            kind: d.type,
            required: true,
            secret: true,
            form: o.form?.expected ?? "set by the program",
            description: o.description,
        };
    });
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
