{# distinct values / non-null values of the column (per group) lies within the bounds. #}
{% test expect_column_proportion_of_unique_values_to_be_between(model, column_name, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false) %}
with proportions as (
    select
        {%- if group_by %} {{ group_by | join(', ') }},{% endif %}
        cast(count(distinct {{ column_name }}) as {{ dbt.type_float() }})
            / nullif(count({{ column_name }}), 0) as unique_proportion
    from {{ model }}
    {{ expectation_where(row_condition) }}
    {%- if group_by %}
    group by {{ group_by | join(', ') }}
    {%- endif %}
)
select * from proportions
where {{ expectation_outside_bounds('unique_proportion', min_value, max_value, strictly) }}
{% endtest %}
