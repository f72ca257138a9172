{# The share of nulls in the column (per group) is at most max_null_rate (0..1). The project's
   own test (dbt-expectations has none); an empty table fails. #}
{% test expect_column_null_rate_to_be_below(model, column_name, max_null_rate, group_by=none, row_condition=none) %}
with rates as (
    select
        {%- if group_by %} {{ group_by | join(', ') }},{% endif %}
        count(*) as row_count,
        cast(sum(case when {{ column_name }} is null then 1 else 0 end) as {{ dbt.type_float() }})
            / nullif(count(*), 0) as null_rate
    from {{ model }}
    {{ expectation_where(row_condition) }}
    {%- if group_by %}
    group by {{ group_by | join(', ') }}
    {%- endif %}
)
select * from rates
where null_rate is null or null_rate > {{ max_null_rate }}
{% endtest %}
