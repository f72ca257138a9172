{# distinct values / non-null values of the column (per group_by group) lies within the bounds,
   computed in dbt's type_float. With no non-null value the proportion is 1, as in
   dbt-expectations. #}
{% test expect_column_proportion_of_unique_values_to_be_between(model, column_name, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false) %}
{%- set proportion -%}
    case
        when count({{ column_name }}) = 0 then 1
        else cast(count(distinct {{ column_name }}) as {{ dbt.type_float() }}) / count({{ column_name }})
    end
{%- endset -%}
{{ expectation_violations(
    model,
    expectation_within_bounds(proportion, min_value, max_value, strictly),
    group_by=group_by,
    row_condition=row_condition
) }}
{% endtest %}
