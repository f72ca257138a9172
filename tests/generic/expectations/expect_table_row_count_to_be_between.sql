{# The row count (per group_by group, if given) lies within the bounds. An empty table is a
   count of 0, not a pass. #}
{% test expect_table_row_count_to_be_between(model, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false) %}
with counts as (
    select
        {%- if group_by %} {{ group_by | join(', ') }},{% endif %}
        count(*) as row_count
    from {{ model }}
    {{ expectation_where(row_condition) }}
    {%- if group_by %}
    group by {{ group_by | join(', ') }}
    {%- endif %}
),
all_counts as (
    {%- if group_by %}
    select * from counts
    {%- else %}
    select coalesce(max(row_count), 0) as row_count from counts
    {%- endif %}
)
select * from all_counts
where {{ expectation_outside_bounds('row_count', min_value, max_value, strictly) }}
{% endtest %}
