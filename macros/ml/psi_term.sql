{#
    One bin's term of the population stability index: (week - reference) * ln(week / reference)
    of the two shares, an empty bin counting as a share of 0.0001. The PSI is the sum of the
    terms over the bins of a feature and week.
#}
{% macro psi_term(week_share, reference_share) -%}
    (greatest({{ week_share }}, 0.0001) - greatest({{ reference_share }}, 0.0001))
    * ln(greatest({{ week_share }}, 0.0001) / greatest({{ reference_share }}, 0.0001))
{%- endmacro %}
