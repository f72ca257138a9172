{#
    Fails on every row for which `expression` is not true (same name and arguments as
    dbt_utils.expression_is_true). A null result counts as a failure: an invariant that
    cannot be evaluated is not shown to hold.
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(
    {%- if column_name is none %}
    ({{ expression }})
    {%- else %}
    ({{ column_name }} {{ expression }})
    {%- endif %}
    , false)

{% endtest %}
