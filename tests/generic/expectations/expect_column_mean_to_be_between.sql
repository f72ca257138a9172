{# The mean of the column (per group_by group, if given) lies within the bounds. #}
{% test expect_column_mean_to_be_between(model, column_name, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false) %}
with means as (
    select
        {%- if group_by %} {{ group_by | join(', ') }},{% endif %}
        avg(cast({{ column_name }} as {{ dbt.type_float() }})) as mean_value
    from {{ model }}
    {{ expectation_where(row_condition) }}
    {%- if group_by %}
    group by {{ group_by | join(', ') }}
    {%- endif %}
)
select * from means
where {{ expectation_outside_bounds('mean_value', min_value, max_value, strictly) }}
{% endtest %}
