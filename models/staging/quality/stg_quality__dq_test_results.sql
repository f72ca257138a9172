{#- The project's own history of test results (audit.dq_test_results, written by the hooks
    create_test_results_table and record_test_results), as staging hands it on. -#}
with

source as (

    select * from {{ source('quality', 'dq_test_results') }}

),

final as (

    select
        invocation_id,
        run_started_at,
        command,
        test_unique_id,
        test_name,
        test_type,
        tested_node,
        severity,
        status,
        failures,
        execution_seconds,
        message
    from source

)

select * from final
