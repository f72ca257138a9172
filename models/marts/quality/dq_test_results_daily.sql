{#- The data-quality dashboard's table: per day and test, how it ended the last time it ran
    that day, and how many of that day's runs passed, warned or failed. -#}
with

results as (

    select * from {{ ref('stg_quality__dq_test_results') }}

),

ranked as (

    select
        *,
        cast(run_started_at as date) as run_date,
        row_number() over (
            partition by cast(run_started_at as date), test_unique_id
            order by run_started_at desc, invocation_id desc
        ) as recency_rank
    from results

),

final as (

    select
        run_date,
        test_unique_id,
        max(test_name) as test_name,
        max(test_type) as test_type,
        max(tested_node) as tested_node,
        max(severity) as severity,
        max(case when recency_rank = 1 then status end) as last_status,
        max(case when recency_rank = 1 then failures end) as last_failures,
        cast(count(*) as {{ dbt.type_bigint() }}) as run_count,
        cast(sum(case when status = 'pass' then 1 else 0 end) as {{ dbt.type_bigint() }}) as pass_count,
        cast(sum(case when status = 'warn' then 1 else 0 end) as {{ dbt.type_bigint() }}) as warn_count,
        cast(sum(case when status in ('fail', 'error') then 1 else 0 end) as {{ dbt.type_bigint() }}) as fail_count
    from ranked
    group by 1, 2

)

select * from final
