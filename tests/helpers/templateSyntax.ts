/**
 * Strings that are Jinja (or break it) if pasted into a template as they are:
 * legal Prefect tags and names all the same. Used by the unit tests (nunjucks)
 * and the end-to-end suite (Prefect's own Jinja environment).
 */
export const NASTY = [
    "{{ x }}",
    "{{ flow_run.name }}",
    "{% raw %}",
    "{% endraw %}",
    "{% raw %}{{ flow.name }}{% endraw %}",
    "a{{b",
    "a}}b",
    "{",
    "}",
    "#}",
    "{#",
    "{# comment #}",
    "%}",
    '" }}{{ flow_run.name }}{{ "',
    "' }}{{ flow_run.name }}{{ '",
    'say "hi" {{ x }}',
    "back\\slash {{ x }}",
    "trailing backslash {{ \\",
    '\\" }}',
    "{{ '\\n' }}",
    "tab\tand\nnewline\r\n{{",
    "{%- if true -%}yes{%- endif -%}",
    "über-tag {{ ünïcödé }} 日本 🎉",
    "{{ flow_run.name }} {{webhook_url}} a{{b",
];
