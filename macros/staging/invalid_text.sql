{#
    True when a text value cannot be published as text: it holds a control character (a NUL
    byte, a tab or line break inside a name or a code), it is longer than var text_max_length
    (a 1 MB "URL"), or it is a JSON object or array where the source promised a scalar. Null
    when no column is invalid and one is null, false otherwise.
#}
{% macro invalid_text(columns) -%}
    (
        {%- for column in columns %}
        {{ regex_matches(column, '[[:cntrl:]]') }}
        or {{ dbt.length(column) }} > {{ var('text_max_length') }}
        or {{ regex_matches(column, '^[[:space:]]*([{].*[}]|\\[.*\\])[[:space:]]*$') }}
        {{- ' or' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
