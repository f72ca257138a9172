{# Every non-null value of the column matches the regular expression. #}
{% test expect_column_values_to_match_regex(model, column_name, regex, row_condition=none, is_raw=false, flags='') %}
select {{ column_name }} as value
from {{ model }}
{{ expectation_where(row_condition) }}
{{ 'and' if row_condition else 'where' }} {{ column_name }} is not null
    and not {{ regex_matches(column_name, ('(?' ~ flags ~ ')' if flags else '') ~ regex) }}
{% endtest %}
