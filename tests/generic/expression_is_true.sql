{#
    Fails on every row for which `expression` is false (dbt_utils.expression_is_true: same name,
    arguments and semantics). A null result is not false, so it passes, as in dbt_utils: give
    the columns of an invariant their own not_null tests.
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
{%- if column_name is none %}
where not ({{ expression }})
{%- else %}
where not ({{ column_name }} {{ expression }})
{%- endif %}

{% endtest %}
